import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_GENESIS_SECRET } from '../ledger/builder.js';
import { post, tlsAgent } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import { WsClient } from '../support/ws-client.js';
import type { Agent } from 'undici';

// The rest of the node's wallet actions, over mutual TLS, with the websocket as the clock.

const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';
const SEED = '0'.repeat(64);
const SEED_ACCOUNT_0 = 'nano_3i1aq1cchnmbn9x5rsbap8b15akfh7wj7pwskuzi7ahz8oq6cobd99d4r3b7';
const NANO = 10n ** 30n;

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;
let ws: WsClient;
let locked: TestServer;
let lockedAgent: Agent;

async function call(payload: Record<string, unknown>, target: TestServer = server, via: Agent = agent): Promise<Record<string, unknown>> {
  return (await post(target.url, JSON.stringify(payload), via)).json;
}

beforeAll(async () => {
  dir = await tempDir();
  const ca: Identity = await makeCa('wallet actions CA');
  const client = await makeClient('wallet.actions.client', ca);
  server = await startTestServer({
    dir: `${dir.path}`,
    server: await makeServer(ca),
    topLevel: ['enable_control = true', '[websocket]', 'enable = true', 'address = "127.0.0.1"', 'port = 0'].join('\n'),
  });
  await trustClient(server, client);
  agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  ws = await WsClient.open(server.service.websocketUrl!.replace('127.0.0.1', 'localhost'), { cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  ws.send({ action: 'subscribe', topic: 'confirmation', ack: true });
  await ws.next();
  const { mkdir } = await import('node:fs/promises');
  await mkdir(`${dir.path}/nocontrol`);
  locked = await startTestServer({ dir: `${dir.path}/nocontrol`, server: await makeServer(ca) });
  await trustClient(locked, client);
  lockedAgent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
});

afterAll(async () => {
  ws?.close();
  await agent?.close();
  await lockedAgent?.close();
  await server?.stop();
  await locked?.stop();
  await dir?.remove();
});

describe('wallet actions', () => {
  let faucet: string;
  let wallet: string;

  it('keeps the node control gating', async () => {
    expect(await call({ action: 'wallet_create' }, locked, lockedAgent)).toEqual({ error: 'RPC control is disabled' });
    expect(await call({ action: 'send', wallet: '1', source: GENESIS_ACCOUNT, destination: GENESIS_ACCOUNT, amount: '1' }, locked, lockedAgent)).toEqual({
      error: 'RPC control is disabled',
    });
    expect(await call({ action: 'wallet_locked', wallet: '1' }, locked, lockedAgent)).toEqual({ error: 'Wallet not found' });
    expect(await call({ action: 'wallet_locked', wallet: 'zz' }, locked, lockedAgent)).toEqual({ error: 'Bad wallet number' });
  });

  it('restores a seed, creates accounts in index order and answers wallet_info', async () => {
    faucet = String((await call({ action: 'wallet_create' })).wallet);
    await call({ action: 'wallet_add', wallet: faucet, key: DEV_GENESIS_SECRET });
    const created = await call({ action: 'wallet_create', seed: SEED });
    wallet = String(created.wallet);
    expect(created).toEqual({ wallet, last_restored_account: SEED_ACCOUNT_0, restored_count: '1' });
    const more = await call({ action: 'accounts_create', wallet, count: '2' });
    const expected = [1, 2].map(async (index) => (await call({ action: 'deterministic_key', seed: SEED, index: String(index) })).account);
    expect(more).toEqual({ accounts: await Promise.all(expected) });
    expect(await call({ action: 'account_create', wallet, index: '7' })).toEqual({
      account: (await call({ action: 'deterministic_key', seed: SEED, index: '7' })).account,
    });
    expect(await call({ action: 'account_create', wallet, index: '4294967296' })).toEqual({ error: 'Invalid index' });
    expect(await call({ action: 'accounts_create', wallet, count: '0' })).toEqual({ error: 'Invalid count' });
    const list = (await call({ action: 'account_list', wallet })).accounts as string[];
    expect(list).toHaveLength(4);
    expect(await call({ action: 'wallet_info', wallet })).toMatchObject({
      accounts_count: '4',
      deterministic_count: '4',
      adhoc_count: '0',
      deterministic_index: '3',
    });
    expect(await call({ action: 'wallet_create', seed: 'xyz' })).toEqual({ error: 'Bad seed' });
  });

  it('watch-only, contains, remove and move', async () => {
    expect(await call({ action: 'wallet_add_watch', wallet, accounts: [GENESIS_ACCOUNT] })).toEqual({ success: '' });
    expect(await call({ action: 'wallet_contains', wallet, account: GENESIS_ACCOUNT })).toEqual({ exists: '1' });
    expect(await call({ action: 'wallet_contains', wallet: 'zz', account: 'nano_bad' })).toEqual({ error: 'Bad account number' });
    // A watch-only account cannot send.
    expect(await call({ action: 'send', wallet, source: GENESIS_ACCOUNT, destination: SEED_ACCOUNT_0, amount: '1' })).toEqual({
      error: 'Account not found in wallet',
    });
    expect(await call({ action: 'account_remove', wallet, account: GENESIS_ACCOUNT })).toEqual({ removed: '1' });
    expect(await call({ action: 'account_remove', wallet, account: GENESIS_ACCOUNT })).toEqual({ error: 'Account not found in wallet' });
    const other = String((await call({ action: 'wallet_create' })).wallet);
    const moving = String((await call({ action: 'account_create', wallet: other })).account);
    expect(await call({ action: 'account_move', wallet, source: other, accounts: [moving] })).toEqual({ moved: '1' });
    expect(await call({ action: 'wallet_contains', wallet, account: moving })).toEqual({ exists: '1' });
    expect(await call({ action: 'wallet_contains', wallet: other, account: moving })).toEqual({ exists: '0' });
    expect(await call({ action: 'account_move', wallet, source: '2'.repeat(64), accounts: [moving] })).toEqual({ error: 'Source not found' });
    expect(await call({ action: 'wallet_destroy', wallet: other })).toEqual({ destroyed: '1' });
    expect(await call({ action: 'account_list', wallet: other })).toEqual({ error: 'Wallet not found' });
  });

  it('receive_minimum decides auto-receive; wallet_receivable, search_receivable', async () => {
    expect(await call({ action: 'receive_minimum' })).toEqual({ amount: '1000000000000000000000000' });
    expect(await call({ action: 'receive_minimum_set', amount: String(NANO) })).toEqual({ success: '' });
    const small = String(
      (await call({ action: 'send', wallet: faucet, source: GENESIS_ACCOUNT, destination: SEED_ACCOUNT_0, amount: '5', id: 'small' })).block,
    );
    expect((await ws.next()).message).toMatchObject({ hash: small });
    expect(await call({ action: 'wallet_receivable', wallet })).toEqual({ blocks: { [SEED_ACCOUNT_0]: [small] } });
    expect(await call({ action: 'wallet_pending', wallet, threshold: '1' })).toEqual({ deprecated: '1', blocks: { [SEED_ACCOUNT_0]: { [small]: '5' } } });
    expect(await call({ action: 'wallet_receivable', wallet, source: 'true' })).toEqual({
      blocks: { [SEED_ACCOUNT_0]: { [small]: { amount: '5', source: GENESIS_ACCOUNT } } },
    });
    expect(await call({ action: 'receive_minimum_set', amount: '1' })).toEqual({ success: '' });
    expect(await call({ action: 'search_receivable', wallet })).toEqual({ started: 'true' });
    expect((await ws.next()).message).toMatchObject({ account: SEED_ACCOUNT_0, amount: '5', block: { subtype: 'receive', link: small } });
    expect(await call({ action: 'wallet_receivable', wallet })).toEqual({ blocks: '' });
    expect(await call({ action: 'receive_minimum_set', amount: '1000000000000000000000000' })).toEqual({ success: '' });
  });

  it('wallet_frontiers, wallet_balances threshold, wallet_ledger, wallet_history', async () => {
    const frontiers = (await call({ action: 'wallet_frontiers', wallet })).frontiers as Record<string, string>;
    expect(Object.keys(frontiers)).toEqual([SEED_ACCOUNT_0]);
    expect(await call({ action: 'wallet_balances', wallet, threshold: '5' })).toEqual({
      balances: { [SEED_ACCOUNT_0]: { balance: '5', pending: '0', receivable: '0' } },
    });
    const ledger = await call({ action: 'wallet_ledger', wallet, representative: 'true', receivable: 'true' });
    expect(ledger).toEqual({
      accounts: {
        [SEED_ACCOUNT_0]: {
          frontier: frontiers[SEED_ACCOUNT_0],
          open_block: frontiers[SEED_ACCOUNT_0],
          representative_block: frontiers[SEED_ACCOUNT_0],
          balance: '5',
          modified_timestamp: expect.stringMatching(/^[0-9]+$/),
          block_count: '1',
          representative: GENESIS_ACCOUNT,
          pending: '0',
          receivable: '0',
        },
      },
    });
    const history = (await call({ action: 'wallet_history', wallet })).history as Record<string, string>[];
    expect(history).toEqual([
      {
        type: 'receive',
        account: GENESIS_ACCOUNT,
        amount: '5',
        block_account: SEED_ACCOUNT_0,
        hash: frontiers[SEED_ACCOUNT_0],
        local_timestamp: expect.stringMatching(/^[0-9]+$/),
      },
    ]);
    expect(await call({ action: 'wallet_history', wallet: 'zz', modified_since: 'x' })).toEqual({ error: 'Invalid timestamp' });
  });

  it('wallet_representative_set with update_existing_accounts publishes change blocks', async () => {
    expect(await call({ action: 'wallet_representative', wallet })).toEqual({ representative: GENESIS_ACCOUNT });
    const representative = String((await call({ action: 'deterministic_key', seed: SEED, index: '9' })).account);
    expect(await call({ action: 'wallet_representative_set', wallet, representative, update_existing_accounts: 'true' })).toEqual({ set: '1' });
    expect(await call({ action: 'wallet_representative', wallet })).toEqual({ representative });
    expect((await ws.next()).message).toMatchObject({ account: SEED_ACCOUNT_0, amount: '0', block: { subtype: 'change', representative } });
    expect(await call({ action: 'wallet_representative_set', wallet, representative: 'nano_x' })).toEqual({ error: 'Bad representative number' });
  });

  it('wallet_export holds no secret in the clear; wallet_change_seed restores another seed', async () => {
    const exported = JSON.parse(String((await call({ action: 'wallet_export', wallet })).json)) as Record<string, unknown>;
    expect(exported.wallet).toBe(wallet);
    expect(JSON.stringify(exported)).not.toContain(SEED);
    const next = '1'.repeat(64);
    const changed = await call({ action: 'wallet_change_seed', wallet, seed: next, count: '2' });
    expect(changed).toEqual({
      success: '',
      last_restored_account: (await call({ action: 'deterministic_key', seed: next, index: '2' })).account,
      restored_count: '3',
    });
    expect(await call({ action: 'wallet_contains', wallet, account: SEED_ACCOUNT_0 })).toEqual({ exists: '0' });
  });
});
