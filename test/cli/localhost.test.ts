import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { CLI, startCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

// The shipped default address (::1) must be reachable as `localhost` by every client the README
// names, with the URLs it prints, also where `localhost` resolves to 127.0.0.1 only (most Linux hosts).

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));
const PROBE = fileURLToPath(new URL('../support/nano-client-probe.cjs', import.meta.url));
const FRESH_COUNTS = { count: '1', unchecked: '0', cemented: '1' };

describe('the shipped default address, reached as localhost', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: RunningCli;
  let port: string;
  const tls = (file: string) => join(folder.path, 'tls', file);

  beforeAll(async () => {
    folder = await tempDir();
    const shipped = await readFile(SHIPPED_CONFIG, 'utf8');
    expect(shipped).toMatch(/^address = "::1"$/m);
    await writeFile(join(folder.path, 'config-rpc.toml'), shipped.replace('port = 7076', 'port = 0'));
    server = startCli(['serve'], { cwd: folder.path });
    [, port] = (await server.waitForOutput(/RPC listening address: https:\/\/\[::1\]:(\d+)\//)) as unknown as [string, string];
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await folder?.remove();
  });

  it('answers on both loopback addresses, with a certificate valid for each (curl --cacert)', async () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const result = await run('curl', [
        '-sS',
        '--cacert',
        tls('ca/ca.cert.pem'),
        '--cert',
        tls('users/rpc.user.1.pem'),
        '-d',
        '{"action":"block_count"}',
        `https://${host}:${port}/`,
      ]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
    }
  });

  it('undici with https://localhost (the README example)', async () => {
    const agent = new Agent({
      connect: {
        ca: await readFile(tls('ca/ca.cert.pem')),
        cert: await readFile(tls('users/rpc.user.1.cert.pem')),
        key: await readFile(tls('users/rpc.user.1.key.pem')),
      },
    });
    try {
      const { body } = await request(`https://localhost:${port}/`, { method: 'POST', body: '{"action":"block_count"}', dispatcher: agent });
      expect(await body.json()).toEqual(FRESH_COUNTS);
    } finally {
      await agent.close();
    }
  });

  it('nano-rpc call --url https://localhost:PORT/', async () => {
    const result = await run(process.execPath, [CLI, 'call', '--url', `https://localhost:${port}/`, 'block_count'], { cwd: folder.path });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
  });

  it('nano-node-rpc and @dev-ptera/nano-node-rpc with https://localhost:PORT', async () => {
    for (const pkg of ['nano-node-rpc', '@dev-ptera/nano-node-rpc']) {
      const result = await run(process.execPath, [
        PROBE,
        pkg,
        `https://localhost:${port}`,
        tls('ca/ca.cert.pem'),
        tls('users/rpc.user.1.cert.pem'),
        tls('users/rpc.user.1.key.pem'),
        JSON.stringify([['block_count']]),
      ]);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual([FRESH_COUNTS]);
    }
  });

  it('stops both listeners on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const after = await run('curl', ['-sS', '--insecure', '-d', '{"action":"block_count"}', `https://127.0.0.1:${port}/`]);
    expect(after.code).not.toBe(0);
  });
});
