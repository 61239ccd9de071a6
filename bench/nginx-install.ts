import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const NGINX = '/usr/sbin/nginx';

function runLoud(command: string, args: readonly string[]): boolean {
  process.stdout.write(`$ ${command} ${args.join(' ')}\n`);
  // apt's chatter goes to stderr so the bench's own output stays a clean report.
  const result = spawnSync(command, args, {
    stdio: ['ignore', process.stderr, process.stderr],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 300_000,
  });
  return result.status === 0;
}

/** Makes sure /usr/sbin/nginx exists, installing the Debian package if needed; false if it still doesn't. */
export function ensureNginx(): boolean {
  if (existsSync(NGINX)) return true;
  process.stdout.write(`${NGINX} not found: installing nginx-light (or nginx) from Debian's packages\n`);
  if (!runLoud('apt-get', ['update'])) return false;
  if (!runLoud('apt-get', ['install', '-y', '--no-install-recommends', 'nginx-light']) || !existsSync(NGINX)) {
    runLoud('apt-get', ['install', '-y', '--no-install-recommends', 'nginx']);
  }
  return existsSync(NGINX);
}

/** e.g. "nginx/1.22.1", or "not installed". */
export function nginxVersion(): string {
  if (!existsSync(NGINX)) return 'not installed';
  const result = spawnSync(NGINX, ['-v'], { encoding: 'utf8', timeout: 10_000 });
  const match = /nginx\/[\w.]+/.exec(`${result.stderr}${result.stdout}`);
  return match ? match[0] : 'unknown';
}
