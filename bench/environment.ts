import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { nginxVersion } from './nginx-install.js';

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line ? line.split(':')[1]!.trim() : 'unknown';
  } catch {
    return 'unknown';
  }
}

function opensslCli(): string {
  const result = spawnSync('openssl', ['version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim().split(' (')[0]! : 'no openssl CLI';
}

/** Pin servers to CPU 0 and the load generator to CPU 1 when taskset exists and there are ≥ 2 CPUs. */
export function canPin(): boolean {
  return availableParallelism() >= 2 && ['/usr/bin/taskset', '/bin/taskset'].some((path) => existsSync(path));
}

export function environmentLine(pinned: boolean): string {
  return [
    `node ${process.version}`,
    `OpenSSL (node) ${process.versions.openssl}`,
    `openssl CLI ${opensslCli().replace(/^OpenSSL /, '')}`,
    `CPU ${cpuModel()} × ${availableParallelism()}`,
    `nginx ${nginxVersion()}`,
    pinned ? 'pinned: servers on CPU 0, load generator on CPU 1 (taskset)' : 'not pinned',
  ].join(' | ');
}
