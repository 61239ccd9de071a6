import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/ledger.js';
import { ACTIONS } from '../../src/rpc/action-table.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, ZERO, newKey, state, T } from '../ledger/builder.js';
import { post } from '../support/clients.js';
import { startServerWithClient, startTestServer, type ServerWithClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// Node mode end to end: our embedded server plays the node (IPC listener and plain HTTP), and two
// mutual-TLS fronts forward to it, one over the node's IPC protocol, one over HTTP RPC.

let dir: { path: string; remove: () => Promise<void> };
let node: TestServer;
let viaIpc: ServerWithClient;
let viaHttp: ServerWithClient;
const plain = new Agent({ connections: 2 });
let receiver: ReturnType<typeof newKey>;
let sendHash: string;
let sendBlock: Record<string, unknown>;

const direct = async (payload: unknown): Promise<Record<string, unknown>> => (await post(node.url, JSON.stringify(payload), plain)).json;

beforeAll(async () => {
  dir = await tempDir();
  receiver = newKey();
  const send = await state({
    account: GENESIS,
    previous: DEV_GENESIS_HASH,
    representative: GENESIS.pub,
    balance: GENESIS_AMOUNT - 1000n,
    link: receiver.pub,
    threshold: T.epoch1,
  });
  const open = await state({ account: receiver, previous: ZERO, representative: receiver.pub, balance: 1000n, link: send.hash, threshold: T.epoch1 });
  sendHash = send.hash;
  sendBlock = send.json;
  const nodeDir = join(dir.path, 'node');
  await mkdir(nodeDir);
  const seeded = await openLedger({ path: join(nodeDir, 'ledger') });
  try {
    expect(seeded.processBatch([{ block: send.block }, { block: open.block }]).every((r) => r.ok)).toBe(true);
  } finally {
    await seeded.close();
  }
  node = await startTestServer({ dir: nodeDir, tables: '[ipc_listener]\nenable = true\naddress = "127.0.0.1"\nport = 0' });
  const ipcPort = node.service.ipcAddress!.port;
  await mkdir(join(dir.path, 'ipc'));
  await mkdir(join(dir.path, 'http'));
  viaIpc = await startServerWithClient(join(dir.path, 'ipc'), 'front-ipc', {
    tables: `[backend]\nmode = "node"\n[[backend.upstream]]\nipc = "tcp://127.0.0.1:${ipcPort}"\nconnections = 2`,
  });
  viaHttp = await startServerWithClient(join(dir.path, 'http'), 'front-http', {
    tables: `[backend]\nmode = "node"\n[[backend.upstream]]\nurl = "${node.url}"`,
  });
});

afterAll(async () => {
  await viaIpc?.close();
  await viaHttp?.close();
  await node?.stop();
  await plain.close();
  await dir?.remove();
});

/** One request per action of our table, with parameters that give a real answer. */
function requestsForEveryAction(): Array<Record<string, unknown>> {
  const account = GENESIS.address;
  const params: Record<string, Record<string, unknown>> = {
    account_balance: { account },
    account_block_count: { account },
    account_get: { key: GENESIS.pub },
    account_history: { account, count: '10' },
    account_info: { account, representative: 'true', weight: 'true', receivable: 'true' },
    account_key: { account },
    account_representative: { account },
    account_weight: { account },
    accounts_balances: { accounts: [account, receiver.address] },
    accounts_frontiers: { accounts: [account, receiver.address] },
    accounts_pending: { accounts: [receiver.address] },
    accounts_receivable: { accounts: [receiver.address] },
    accounts_representatives: { accounts: [account] },
    delegators: { account },
    delegators_count: { account },
    frontiers: { account, count: '10' },
    history: { hash: sendHash, count: '10' },
    pending: { account: receiver.address },
    pending_exists: { hash: sendHash },
    receivable: { account: receiver.address },
    receivable_exists: { hash: sendHash },
    process: { json_block: 'true', block: sendBlock },
    block_info: { hash: sendHash, json_block: 'true' },
    block: { hash: sendHash },
    blocks: { hashes: [sendHash] },
    blocks_info: { hashes: [sendHash, DEV_GENESIS_HASH] },
    block_account: { hash: sendHash },
    block_hash: { json_block: 'true', block: sendBlock },
    chain: { block: sendHash, count: '5' },
    successors: { block: DEV_GENESIS_HASH, count: '5' },
    work_validate: { hash: DEV_GENESIS_HASH, work: '0000000000000000' },
    validate_account_number: { account },
    key_expand: { key: '781186FB9EF17DB6E3D1056550D9FAE5D5BBADA6A6BC370E4CBB938B1DC71DA3' },
    nano_to_raw: { amount: '1' },
    raw_to_nano: { amount: '1000000000000000000000000000000' },
  };
  // key_create is random and stop/ledger need control: checked separately below.
  const skip = new Set(['key_create', 'stop', 'ledger']);
  return Object.keys(ACTIONS)
    .filter((action) => !skip.has(action))
    .map((action) => ({ action, ...params[action] }));
}

/** Values that change between two calls a moment apart. */
function steady(answer: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...answer };
  for (const key of ['seconds', 'uptime', 'timestamp']) delete copy[key];
  return copy;
}

describe.each([
  ['IPC', () => viaIpc],
  ['HTTP', () => viaHttp],
])('node mode over %s, our embedded server as the node', (_name, front) => {
  const call = async (payload: unknown): Promise<Record<string, unknown>> => (await post(front().server.url, JSON.stringify(payload), front().agent)).json;

  it('answers every action of our table exactly as the node does directly', async () => {
    const requests = requestsForEveryAction();
    expect(requests.length).toBeGreaterThan(40);
    for (const request of requests) {
      const [through, straight] = await Promise.all([call(request), direct(request)]);
      expect({ action: request.action, answer: steady(through) }).toEqual({ action: request.action, answer: steady(straight) });
      expect(through.error, `${String(request.action)} should give a real answer`).not.toBe('Unknown command');
    }
  });

  it('forwards actions it does not implement: the node answers them', async () => {
    const logged = node.logs.lines.length;
    expect(await call({ action: 'confirmation_quorum' })).toEqual({ error: 'Unknown command' });
    // Proof it went to the node: the node logged the request.
    expect(node.logs.lines.slice(logged).some((line) => line.msg === 'rpc')).toBe(true);
  });

  it('refuses control actions in front, as nano_rpc did, and the node never sees them', async () => {
    const logged = node.logs.lines.length;
    expect(await call({ action: 'stop' })).toEqual({ error: 'RPC control is disabled' });
    expect(await call({ action: 'wallet_create' })).toEqual({ error: 'RPC control is disabled' });
    expect(await call({ action: 'process', force: 'true', block: sendBlock, json_block: 'true' })).toEqual({ error: 'RPC control is disabled' });
    expect(await call({ action: 'stats', type: 'objects' })).toEqual({ error: 'RPC control is disabled' });
    expect(node.logs.lines.slice(logged).filter((line) => line.msg === 'rpc')).toEqual([]);
  });

  it('keeps the front checks: depth, JSON, missing action', async () => {
    expect(await call('x')).toEqual({ error: 'Unable to parse JSON' });
    expect(await call({ no: 'action' })).toEqual({ error: 'Unable to parse JSON' });
    expect(await call({ action: 'block_count', deep: JSON.parse('['.repeat(30) + ']'.repeat(30)) })).toEqual({ error: 'Max JSON depth exceeded' });
  });
});

describe('node mode over https with our own CA and a client certificate', () => {
  it('forwards to a node behind mutual TLS', async () => {
    // The "node" here is our embedded server with mutual TLS; the front presents a certificate it trusts.
    const folder = join(dir.path, 'https-node');
    await mkdir(folder);
    const tlsNode = await startServerWithClient(folder, 'tls-node');
    try {
      await writeFile(join(folder, 'node-ca.pem'), tlsNode.ca.certPem);
      await writeFile(join(folder, 'front.cert.pem'), tlsNode.client.certPem);
      await writeFile(join(folder, 'front.key.pem'), tlsNode.client.keyPem, { mode: 0o600 });
      const frontDir = join(dir.path, 'https-front');
      await mkdir(frontDir);
      const tables = [
        '[backend]',
        'mode = "node"',
        '[[backend.upstream]]',
        `url = "${tlsNode.server.url}"`,
        `tls_ca_path = "${join(folder, 'node-ca.pem')}"`,
        `tls_cert_path = "${join(folder, 'front.cert.pem')}"`,
        `tls_key_path = "${join(folder, 'front.key.pem')}"`,
      ].join('\n');
      const front = await startServerWithClient(frontDir, 'https-front', { tables });
      try {
        expect((await post(front.server.url, '{"action":"block_count"}', front.agent)).json).toEqual({ count: '1', unchecked: '0', cemented: '1' });
        // The node saw our front's certificate.
        expect(
          tlsNode.server.logs.find((line) => line.msg === 'rpc' && (line.client as { commonName?: string } | undefined)?.commonName === 'tls-node.client'),
        ).toBeDefined();
      } finally {
        await front.close();
      }
    } finally {
      await tlsNode.close();
    }
  });
});
