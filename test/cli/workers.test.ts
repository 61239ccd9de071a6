import { mkdir, rm, writeFile } from 'node:fs/promises';
import { connect, type TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTrustedCert } from '../../src/tls/trust-dir.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, T } from '../ledger/builder.js';
import { post, tlsAgent } from '../support/clients.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { tempDir } from '../support/temp.js';

// `[workers] count = 2` through the built command: two processes on one port, one ledger, one
// trust directory that each of them watches.

const BLOCK_COUNT = '{"action":"block_count"}';

let folder: { path: string; remove: () => Promise<void> };
let ca: Identity;
let client: Identity;
let trustedFile: string;
let cli: RunningCli;
let url: string;
let port: number;

interface Line {
  msg: string;
  worker?: number;
  pid?: number;
  [key: string]: unknown;
}
const lines = (): Line[] =>
  cli.stdout
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as Line);

beforeAll(async () => {
  folder = await tempDir();
  ca = await makeCa('workers CA');
  client = await makeClient('workers.client', ca);
  const server = await makeServer(ca);
  await writeFile(join(folder.path, 'server.cert.pem'), server.certPem);
  await writeFile(join(folder.path, 'server.key.pem'), server.keyPem, { mode: 0o600 });
  await mkdir(join(folder.path, 'clients'));
  ({ file: trustedFile } = await installTrustedCert(join(folder.path, 'clients'), client.certPem));
  await writeFile(
    join(folder.path, 'config-rpc.toml'),
    [
      'address = "127.0.0.1"',
      'port = 0',
      'enable_control = true',
      '[secure]',
      'enable = true',
      'server_cert_path = "server.cert.pem"',
      'server_key_path = "server.key.pem"',
      'client_certs_path = "clients"',
      '[workers]',
      'count = 2',
    ].join('\n'),
  );
  cli = startCli(['serve', '--config', 'config-rpc.toml'], { cwd: folder.path });
  await cli.waitForOutput(/"worker":1,[^\n]*RPC listening address/, 30_000);
  await cli.waitForOutput(/"worker":2,[^\n]*RPC listening address/, 30_000);
  port = Number(/RPC listening address: https:\/\/127\.0\.0\.1:(\d+)\//.exec(cli.stdout)![1]);
  url = `https://127.0.0.1:${port}/`;
}, 60_000);

afterAll(async () => {
  if (cli?.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  await folder?.remove();
});

/** A request on a new connection (each new connection goes to the next worker). */
async function fresh(body = BLOCK_COUNT): Promise<Record<string, unknown>> {
  const agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  try {
    return (await post(url, body, agent)).json;
  } finally {
    await agent.close();
  }
}

/** One HTTP request over a raw TLS socket, to get (or offer) a session ticket. */
function rawExchange(session?: Buffer): Promise<{ answer: string; reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve) => {
    let ticket: Buffer | undefined;
    let answer = '';
    let reused = false;
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca: ca.certPem, servername: 'localhost', cert: client.certPem, key: client.keyPem, session });
    socket.on('session', (value: Buffer) => {
      ticket = value;
    });
    socket.on('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write(`POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${BLOCK_COUNT.length}\r\nConnection: close\r\n\r\n${BLOCK_COUNT}`);
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer: answer.split('\r\n\r\n')[1] ?? '', reused, session: ticket }));
  });
}

describe('two workers', () => {
  it('share one port and one ledger: a block processed by one worker is seen by both', async () => {
    const send = await state({
      account: GENESIS,
      previous: DEV_GENESIS_HASH,
      representative: GENESIS.pub,
      balance: GENESIS_AMOUNT - 1n,
      link: newKey().pub,
      threshold: T.epoch1,
    });
    expect(await fresh(JSON.stringify({ action: 'process', json_block: 'true', block: send.json }))).toEqual({ hash: send.hash });
    for (let i = 0; i < 4; i++) expect(await fresh()).toEqual({ count: '2', unchecked: '0', cemented: '2' });
    const workers = new Set(
      lines()
        .filter((line) => line.msg === 'rpc' && line.action === 'block_count')
        .map((line) => line.worker),
    );
    expect([...workers].sort()).toEqual([1, 2]);
  });

  it('restarts a worker that dies, and logs it', async () => {
    const victim = lines().find((line) => line.worker === 1 && line.msg.startsWith('RPC listening address'))!.pid!;
    process.kill(victim, 'SIGKILL');
    await cli.waitForOutput(new RegExp(`"pid":${victim},"code":null,"signal":"SIGKILL","msg":"worker died; starting a new one"`));
    await cli.waitForOutput(/"worker":3,[^\n]*RPC listening address/, 30_000);
    for (let i = 0; i < 4; i++) expect(await fresh()).toEqual({ count: '2', unchecked: '0', cemented: '2' });
  }, 60_000);

  it('revocation reaches both workers within 1 s: new, open keep-alive and resumed connections are refused', async () => {
    // Keep-alive connections and session tickets on both workers (connections alternate).
    const agents = Array.from({ length: 4 }, () => tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem }));
    const sessions: Buffer[] = [];
    try {
      for (const agent of agents) expect((await post(url, BLOCK_COUNT, agent)).json).toMatchObject({ count: '2' });
      for (let i = 0; i < 4; i++) {
        const exchange = await rawExchange();
        expect(exchange.answer).toContain('"count":"2"');
        sessions.push(exchange.session!);
      }
      const live = [
        ...new Set(
          lines()
            .filter((line) => line.msg.startsWith('RPC listening address'))
            .map((line) => line.worker),
        ),
      ].filter((w) => w !== 1);
      expect(live).toEqual([2, 3]);

      const revokedIn = live.map((worker) => cli.waitForOutput(new RegExp(`"worker":${worker},[^\\n]*"msg":"client certificate revoked"`), 1000));
      const closedIn = live.map((worker) => cli.waitForOutput(new RegExp(`"worker":${worker},[^\\n]*"msg":"closing an open connection`), 1000));
      await rm(join(folder.path, 'clients', trustedFile));
      await Promise.all([...revokedIn, ...closedIn]);

      for (const agent of agents) await expect(post(url, BLOCK_COUNT, agent)).rejects.toThrow();
      for (let i = 0; i < 4; i++) await expect(fresh()).rejects.toThrow();
      for (const session of sessions) expect((await rawExchange(session)).answer).toBe('');
    } finally {
      for (const agent of agents) await agent.close();
      ({ file: trustedFile } = await installTrustedCert(join(folder.path, 'clients'), client.certPem));
    }
    await cli.waitForOutput(
      /"worker":2,[^\n]*"msg":"client certificate trusted"[^\n]*\n[^]*"worker":3,[^\n]*"msg":"client certificate trusted"|"worker":3,[^\n]*"msg":"client certificate trusted"[^\n]*\n[^]*"worker":2,[^\n]*"msg":"client certificate trusted"/,
      2000,
    );
  }, 60_000);

  it('`stop` answered by one worker stops them all', async () => {
    expect(await fresh('{"action":"stop"}')).toEqual({ success: '' });
    expect(await cli.exited).toBe(0);
    expect(lines().some((line) => line.msg === 'a worker answered stop: stopping every worker')).toBe(true);
    expect(lines().at(-1)?.msg).toBe('every worker stopped');
  }, 30_000);
});
