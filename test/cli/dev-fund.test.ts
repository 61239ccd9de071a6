import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { post, run, tlsAgent } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import type { Agent } from 'undici';
import { WsClient } from '../support/ws-client.js';

// `nano-rpc dev fund` (the built command) funds an account of a running server over mutual TLS;
// a wallet account is then received automatically.

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;
let tlsArgs: string[];
let ws: WsClient;

async function call(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  return (await post(server.url, JSON.stringify(payload), agent)).json;
}

beforeAll(async () => {
  dir = await tempDir();
  const ca: Identity = await makeCa('dev fund CA');
  const client = await makeClient('dev.fund.client', ca);
  server = await startTestServer({
    dir: dir.path,
    server: await makeServer(ca),
    topLevel: ['enable_control = true', '[websocket]', 'enable = true', 'address = "127.0.0.1"', 'port = 0'].join('\n'),
  });
  await trustClient(server, client);
  agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  ws = await WsClient.open(server.service.websocketUrl!.replace('127.0.0.1', 'localhost'), { cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  await writeFile(join(dir.path, 'ca.pem'), ca.certPem);
  await writeFile(join(dir.path, 'client.pem'), client.certPem + client.keyPem, { mode: 0o600 });
  tlsArgs = [`--url=https://localhost:${server.port}/`, `--cacert=${join(dir.path, 'ca.pem')}`, `--cert=${join(dir.path, 'client.pem')}`];
});

afterAll(async () => {
  ws?.close();
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('nano-rpc dev fund', () => {
  it('sends from the dev genesis; a wallet account receives it by itself', async () => {
    const wallet = String((await call({ action: 'wallet_create' })).wallet);
    const account = String((await call({ action: 'account_create', wallet })).account);
    ws.send({ action: 'subscribe', topic: 'confirmation', ack: true, options: { accounts: [account] } });
    expect(await ws.next()).toMatchObject({ ack: 'subscribe' });
    const result = await run(process.execPath, [CLI, 'dev', 'fund', account, '2.5nano', ...tlsArgs], { cwd: dir.path });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const hash = result.stdout.trim();
    expect(hash).toMatch(/^[0-9A-F]{64}$/);
    expect(await call({ action: 'block_info', hash, json_block: 'true' })).toMatchObject({ amount: '2500000000000000000000000000000', subtype: 'send' });
    expect((await ws.next()).message).toMatchObject({ hash, account: 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo' });
    const received = (await ws.next()).message as Record<string, unknown>;
    expect(received).toMatchObject({ account, amount: '2500000000000000000000000000000', block: { subtype: 'receive', link: hash } });
    expect(await call({ action: 'account_balance', account })).toMatchObject({ balance: '2500000000000000000000000000000' });
  });

  it('refuses bad input with a usage error (exit 2)', async () => {
    const bad = await run(process.execPath, [CLI, 'dev', 'fund', 'nano_nope', '5', ...tlsArgs], { cwd: dir.path });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a valid nano_ address');
    const unknown = await run(process.execPath, [CLI, 'dev', 'fund', '--bogus'], { cwd: dir.path });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--bogus');
  });
});
