import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

// The ledger is private whatever the umask; the log is readable on a terminal (JSON otherwise), and
// the start says what is served: mode, address, trust directory and clients, ledger and blocks.

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));

interface Running {
  output: string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  stop(): Promise<void>;
}

/** Runs a shell command line in its own process group (so `script` and its child stop together). */
function shell(commandLine: string, cwd: string): Running {
  const child = spawn('bash', ['-c', commandLine], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: Running = {
    output: '',
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const match = pattern.exec(running.output);
          if (match) {
            child.stdout.off('data', check);
            resolve(match);
          }
        };
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`exited before ${pattern}:\n${running.output}`)));
        check();
      }),
    stop: async () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await exited;
    },
  };
  child.stdout.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (running.output += chunk.toString()));
  return running;
}

async function mode(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

describe('nano-rpc serve under umask 000, stdout a pipe', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: Running;

  beforeAll(async () => {
    folder = await tempDir();
    await writeFile(join(folder.path, 'config-rpc.toml'), (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0'));
    server = shell(`umask 000; exec "${process.execPath}" "${CLI}" serve`, folder.path);
    await server.waitFor(/"msg":"serving the[^\n]*\n/);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await folder?.remove();
  });

  it('creates the ledger folder 0700 and its files 0600', async () => {
    expect(await mode(join(folder.path, 'data'))).toBe('700');
    expect(await mode(join(folder.path, 'data', 'data.mdb'))).toBe('600');
    expect(await mode(join(folder.path, 'data', 'lock.mdb'))).toBe('600');
  });

  it('logs JSON, with one start-up line saying what it serves', async () => {
    const line = server.output.split('\n').find((text) => text.includes('"msg":"serving the'))!;
    const summary = JSON.parse(line) as Record<string, unknown>;
    expect(summary).toMatchObject({
      mode: 'embedded ledger',
      url: expect.stringMatching(/^https:\/\/\[::1\]:\d+\/$/),
      tls: true,
      clientCertificates: true,
      trustDir: join(folder.path, 'tls', 'clients'),
      trustedClients: 1,
      ledgerPath: join(folder.path, 'data'),
      blocks: '1',
    });
    expect(summary.msg).toMatch(
      /^serving the embedded ledger on https:\/\/\[::1\]:\d+\/ \(and 127\.0\.0\.1:\d+\): mutual TLS, 1 trusted client certificate in .*tls\/clients; ledger .*data \(1 block\)$/,
    );
  });
});

describe('nano-rpc serve on a terminal', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: Running | undefined;

  beforeAll(async () => {
    folder = await tempDir();
    await writeFile(join(folder.path, 'config-rpc.toml'), (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0'));
  });

  afterAll(async () => {
    await server?.stop();
    await folder?.remove();
  });

  it('logs human-readable lines with readable times (script(1) gives it a pseudo-terminal)', async () => {
    server = shell(`exec script -qfec '"${process.execPath}" "${CLI}" serve' /dev/null`, folder.path);
    const [line] = await server.waitFor(/[^\n]*serving the embedded ledger[^\n]*/);
    expect(line).not.toMatch(/^\s*\{/);
    expect(line).toMatch(/\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\]/);
    expect(line).toContain('INFO');
    expect(server.output).not.toContain('{"level":');
  }, 60_000);
});
