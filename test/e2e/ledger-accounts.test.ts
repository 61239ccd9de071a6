import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'undici';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, ZERO, newKey, state } from '../ledger/builder.js';
import type { Built, Key } from '../ledger/builder.js';
import { post } from '../support/clients.js';
import { startServerWithClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// The account, receivable, frontier and representative actions over mutual TLS, against a real
// LMDB ledger whose blocks are built with nanocurrency and published with the `process` action.

const G = GENESIS_AMOUNT;
const ZERO_ACCOUNT = 'nano_1111111111111111111111111111111111111111111111111111hifc8npp';
const BAD_CHECKSUM = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtd1';

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;

async function call(payload: Record<string, unknown>): Promise<Record<string, any>> {
  return (await post(server.url, JSON.stringify(payload), agent)).json as Record<string, any>;
}
async function callText(payload: Record<string, unknown>): Promise<string> {
  return (await post(server.url, JSON.stringify(payload), agent)).text;
}
async function publish(built: Built): Promise<void> {
  expect(await call({ action: 'process', json_block: true, block: built.json })).toEqual({ hash: built.hash });
}

beforeAll(async () => {
  dir = await tempDir();
  ({ server, agent } = await startServerWithClient(dir.path, 'ledger accounts', { topLevel: 'enable_control = true' }));
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('a ledger holding only the dev genesis', () => {
  it('account_balance of genesis is the whole supply, nothing receivable', async () => {
    expect(await call({ action: 'account_balance', account: GENESIS.address })).toEqual({
      balance: '340282366920938463463374607431768211455',
      pending: '0',
      receivable: '0',
    });
  });

  it('account_info of genesis, in the node field order', async () => {
    const answer = await call({ action: 'account_info', account: GENESIS.address });
    expect(Object.keys(answer)).toEqual([
      'frontier',
      'open_block',
      'representative_block',
      'balance',
      'modified_timestamp',
      'block_count',
      'account_version',
      'confirmation_height',
      'confirmation_height_frontier',
    ]);
    expect(answer).toMatchObject({
      frontier: DEV_GENESIS_HASH,
      open_block: DEV_GENESIS_HASH,
      representative_block: DEV_GENESIS_HASH,
      balance: String(G),
      block_count: '1',
      account_version: '0',
      confirmation_height: '1',
      confirmation_height_frontier: DEV_GENESIS_HASH,
    });
    expect(answer.modified_timestamp).toMatch(/^[1-9][0-9]*$/);
  });

  it("reads flags as the node's get<bool> (name, default) does: text that is no boolean is the default", async () => {
    const plain = await call({ action: 'account_info', account: GENESIS.address });
    for (const value of ['yes', 'True', '2', '-1', '1.0', '0x1', '', { a: 1 }, null, '00', '-0']) {
      expect(await call({ action: 'account_info', account: GENESIS.address, representative: value })).toEqual(plain);
    }
    for (const value of [true, 'true', 1, '1', ' true ', '01', '+1', ' 1\n']) {
      expect(await call({ action: 'account_info', account: GENESIS.address, representative: value })).toHaveProperty('representative', GENESIS.address);
    }
    expect(await call({ action: 'account_balance', account: GENESIS.address, include_only_confirmed: 'nope' })).toHaveProperty('balance', String(G));
  });

  it('an object or null where an account or hash is expected is a bad value, not a parse error', async () => {
    expect(await call({ action: 'account_balance', account: { a: 'b' } })).toEqual({ error: 'Bad account number' });
    expect(await call({ action: 'blocks', hashes: [{ a: 'b' }] })).toEqual({ error: 'Bad hash number' });
    expect(await call({ action: 'blocks_info', hashes: [null] })).toEqual({ error: 'Bad hash number' });
  });

  it('the zero account and a bad checksum are refused with the node texts', async () => {
    expect(await call({ action: 'account_info', account: ZERO_ACCOUNT })).toEqual({ error: 'Account not found' });
    expect(await call({ action: 'account_info', account: BAD_CHECKSUM })).toEqual({ error: 'Bad account number' });
    expect(await call({ action: 'account_balance', account: ZERO_ACCOUNT })).toEqual({ balance: '0', pending: '0', receivable: '0' });
  });

  it('accounts_balances reports a bad account under "errors" and still answers the others', async () => {
    expect(await call({ action: 'accounts_balances', accounts: [GENESIS.address, BAD_CHECKSUM, ZERO_ACCOUNT] })).toEqual({
      balances: {
        [GENESIS.address]: { balance: String(G), pending: '0', receivable: '0' },
        [ZERO_ACCOUNT]: { balance: '0', pending: '0', receivable: '0' },
      },
      errors: { [BAD_CHECKSUM]: 'Bad account number' },
    });
  });

  it('flags the deprecated nano- spelling', async () => {
    const dashed = GENESIS.address.replace('nano_', 'nano-');
    expect(await call({ action: 'account_block_count', account: dashed })).toEqual({ deprecated_account_format: '1', block_count: '1' });
  });

  it('counts, weights and supply', async () => {
    expect(await call({ action: 'frontier_count' })).toEqual({ count: '1' });
    expect(await call({ action: 'account_weight', account: GENESIS.address })).toEqual({ weight: String(G) });
    expect(await call({ action: 'representatives' })).toEqual({ representatives: { [GENESIS.address]: String(G) } });
    expect(await call({ action: 'available_supply' })).toEqual({ available: '0' });
  });

  it('writes an empty receivable list as ""', async () => {
    expect(await callText({ action: 'receivable', account: GENESIS.address })).toBe('{"blocks":""}');
  });
});

describe('after sends, receives and a representative change', () => {
  const a: Key = newKey();
  const b: Key = newKey();
  const r: Key = newKey();
  let sendA: Built; // genesis → a, 1000
  let sendB: Built; // genesis → b, 500
  let openA: Built;
  let sendAB: Built; // a → b, 100
  let changeA: Built; // a's representative → genesis
  let openB: Built;
  let receiveB: Built;
  const genesisBalance = G - 1500n;

  beforeAll(async () => {
    sendA = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: G - 1000n, link: a.pub });
    sendB = await state({ account: GENESIS, previous: sendA.hash, representative: GENESIS.pub, balance: genesisBalance, link: b.pub });
    await publish(sendA);
    await publish(sendB);
  });

  it('lists the unreceived sends (receivable, pending, accounts_receivable)', async () => {
    expect(await call({ action: 'receivable', account: a.address })).toEqual({ blocks: [sendA.hash] });
    expect(await call({ action: 'pending', account: a.address, threshold: '1' })).toEqual({ deprecated: '1', blocks: { [sendA.hash]: '1000' } });
    expect(await call({ action: 'receivable', account: a.address, threshold: '1001' })).toEqual({ blocks: '' });
    expect(await call({ action: 'receivable', account: b.address, source: true, min_version: true })).toEqual({
      blocks: { [sendB.hash]: { amount: '500', source: GENESIS.address, min_version: '0' } },
    });
    expect(await call({ action: 'accounts_receivable', accounts: [a.address, b.address, GENESIS.address] })).toEqual({
      blocks: { [a.address]: [sendA.hash], [b.address]: [sendB.hash] },
    });
    expect(await call({ action: 'accounts_receivable', accounts: [a.address, b.address], sorting: true, source: true })).toEqual({
      blocks: {
        [a.address]: { [sendA.hash]: { amount: '1000', source: GENESIS.address } },
        [b.address]: { [sendB.hash]: { amount: '500', source: GENESIS.address } },
      },
    });
    expect(await call({ action: 'receivable', account: a.address, count: 'x' })).toEqual({ error: 'Invalid count' });
    expect(await call({ action: 'receivable', account: a.address, threshold: '01' })).toEqual({ error: 'Bad threshold number' });
  });

  it('an unopened account has a receivable balance but no info', async () => {
    expect(await call({ action: 'account_balance', account: a.address })).toEqual({ balance: '0', pending: '1000', receivable: '1000' });
    expect(await call({ action: 'account_info', account: a.address })).toEqual({ error: 'Account not found' });
    expect(await call({ action: 'receivable_exists', hash: sendA.hash })).toEqual({ exists: '1' });
    expect(await call({ action: 'accounts_frontiers', accounts: [GENESIS.address, a.address, BAD_CHECKSUM] })).toEqual({
      frontiers: { [GENESIS.address]: sendB.hash },
      errors: { [a.address]: 'Account not found', [BAD_CHECKSUM]: 'Bad account number' },
    });
    expect(await call({ action: 'available_supply' })).toEqual({ available: '1500' });
  });

  describe('once the accounts have opened', () => {
    beforeAll(async () => {
      openA = await state({ account: a, previous: ZERO, representative: r.pub, balance: 1000n, link: sendA.hash });
      sendAB = await state({ account: a, previous: openA.hash, representative: r.pub, balance: 900n, link: b.pub });
      changeA = await state({ account: a, previous: sendAB.hash, representative: GENESIS.pub, balance: 900n, link: ZERO });
      openB = await state({ account: b, previous: ZERO, representative: r.pub, balance: 500n, link: sendB.hash });
      receiveB = await state({ account: b, previous: openB.hash, representative: r.pub, balance: 600n, link: sendAB.hash });
      for (const block of [openA, sendAB, changeA, openB, receiveB]) await publish(block);
    });

    it('balances and info agree, nothing is left receivable', async () => {
      expect(await call({ action: 'accounts_balances', accounts: [a.address, b.address] })).toEqual({
        balances: {
          [a.address]: { balance: '900', pending: '0', receivable: '0' },
          [b.address]: { balance: '600', pending: '0', receivable: '0' },
        },
      });
      const info = await call({ action: 'account_info', account: a.address, representative: true, weight: true, receivable: true, include_confirmed: true });
      expect(Object.keys(info)).toEqual([
        'frontier',
        'open_block',
        'representative_block',
        'balance',
        'confirmed_balance',
        'modified_timestamp',
        'block_count',
        'account_version',
        'confirmed_height',
        'confirmed_frontier',
        'representative',
        'confirmed_representative',
        'weight',
        'pending',
        'receivable',
        'confirmed_pending',
        'confirmed_receivable',
      ]);
      expect(info).toMatchObject({
        frontier: changeA.hash,
        open_block: openA.hash,
        representative_block: changeA.hash,
        balance: '900',
        confirmed_balance: '900',
        block_count: '3',
        confirmed_height: '3',
        confirmed_frontier: changeA.hash,
        representative: GENESIS.address,
        confirmed_representative: GENESIS.address,
        weight: '0',
        pending: '0',
        receivable: '0',
      });
      expect(await call({ action: 'account_block_count', account: b.address })).toEqual({ block_count: '2' });
      expect(await call({ action: 'account_representative', account: b.address })).toEqual({ representative: r.address });
      expect(await call({ action: 'receivable_exists', hash: sendA.hash })).toEqual({ exists: '0' });
      expect(await call({ action: 'pending_exists', hash: openA.hash })).toEqual({ deprecated: '1', exists: '0' });
      expect(await call({ action: 'receivable_exists', hash: ZERO })).toEqual({ error: 'Block not found' });
      expect(await callText({ action: 'accounts_receivable', accounts: [a.address, b.address] })).toBe('{"blocks":""}');
    });

    it('account_history: non-raw skips the change and reports the open as a receive', async () => {
      const answer = await call({ action: 'account_history', account: a.address, count: '-1' });
      expect(answer.account).toBe(a.address);
      expect(answer.previous).toBeUndefined();
      expect(answer.history).toHaveLength(2);
      expect(answer.history[0]).toEqual({
        type: 'send',
        account: b.address,
        amount: '100',
        local_timestamp: expect.stringMatching(/^[0-9]+$/),
        height: '2',
        hash: sendAB.hash,
        confirmed: 'true',
      });
      expect(Object.keys(answer.history[0])).toEqual(['type', 'account', 'amount', 'local_timestamp', 'height', 'hash', 'confirmed']);
      expect(answer.history[1]).toMatchObject({ type: 'receive', account: GENESIS.address, amount: '1000', height: '1', hash: openA.hash });
    });

    it('account_history raw adds the block fields and keeps the change', async () => {
      const answer = await call({ action: 'account_history', account: a.address, count: 3, raw: true });
      expect(answer.history.map((e: any) => [e.type, e.subtype, e.hash])).toEqual([
        ['state', 'change', changeA.hash],
        ['state', 'send', sendAB.hash],
        ['state', 'receive', openA.hash],
      ]);
      expect(Object.keys(answer.history[1])).toEqual([
        'type',
        'representative',
        'link',
        'balance',
        'previous',
        'subtype',
        'account',
        'amount',
        'local_timestamp',
        'height',
        'hash',
        'confirmed',
        'work',
        'signature',
      ]);
      expect(answer.history[1]).toMatchObject({
        representative: r.address,
        link: b.pub.toUpperCase(),
        balance: '900',
        previous: openA.hash,
        account: b.address,
        amount: '100',
        work: sendAB.json.work,
        signature: sendAB.json.signature,
      });
    });

    it('account_history count, offset (counted in blocks, as the node does), head and reverse', async () => {
      const first = await call({ action: 'account_history', account: a.address, count: 1 });
      expect(first.history.map((e: any) => e.hash)).toEqual([sendAB.hash]);
      expect(first.previous).toBe(openA.hash);
      // The offset skips the change block even though the non-raw history never shows it.
      const offset = await call({ action: 'account_history', account: a.address, count: 1, offset: 1 });
      expect(offset.history.map((e: any) => e.hash)).toEqual([sendAB.hash]);
      const head = await call({ action: 'account_history', head: sendAB.hash, count: '-1' });
      expect(head.account).toBe(a.address);
      expect(head.history.map((e: any) => e.hash)).toEqual([sendAB.hash, openA.hash]);
      const reverse = await call({ action: 'account_history', account: a.address, count: 1, reverse: true });
      expect(reverse.history.map((e: any) => e.hash)).toEqual([openA.hash]);
      expect(reverse.next).toBe(sendAB.hash);
      expect(reverse.previous).toBeUndefined();
    });

    it('include_linked_account (V28): the other side of a send or receive, "0" otherwise', async () => {
      const raw = await call({ action: 'account_history', account: a.address, count: -1, raw: true, include_linked_account: true });
      expect(raw.history.map((e: any) => [e.hash, e.linked_account])).toEqual([
        [changeA.hash, '0'],
        [sendAB.hash, b.address],
        [openA.hash, GENESIS.address],
      ]);
      expect(Object.keys(raw.history[1]).slice(-8)).toEqual([
        'amount',
        'linked_account',
        'local_timestamp',
        'height',
        'hash',
        'confirmed',
        'work',
        'signature',
      ]);
      const genesis = await call({ action: 'account_history', account: GENESIS.address, count: -1, include_linked_account: 'true' });
      // The genesis open took nothing from a block: the node reports "0".
      expect(genesis.history.map((e: any) => e.linked_account)).toEqual([b.address, a.address, '0']);
      const plain = await call({ action: 'account_history', account: a.address, count: -1 });
      expect(plain.history[0]).not.toHaveProperty('linked_account');

      const info = await call({ action: 'block_info', hash: receiveB.hash, include_linked_account: true });
      expect(Object.keys(info).slice(0, 3)).toEqual(['block_account', 'linked_account', 'amount']);
      expect(info.linked_account).toBe(a.address);
      expect(await call({ action: 'block_info', hash: receiveB.hash })).not.toHaveProperty('linked_account');
      const many = await call({ action: 'blocks_info', hashes: [sendB.hash, changeA.hash, DEV_GENESIS_HASH], include_linked_account: 1 });
      expect([sendB.hash, changeA.hash, DEV_GENESIS_HASH].map((hash) => many.blocks[hash].linked_account)).toEqual([b.address, '0', '0']);
    });

    it('account_history of genesis: the genesis open, the sends, and account_filter', async () => {
      const all = await call({ action: 'account_history', account: GENESIS.address, count: -1, reverse: 'true' });
      expect(all.history).toEqual([
        expect.objectContaining({ type: 'receive', account: GENESIS.address, amount: String(G), hash: DEV_GENESIS_HASH, height: '1' }),
        expect.objectContaining({ type: 'send', account: a.address, amount: '1000', hash: sendA.hash }),
        expect.objectContaining({ type: 'send', account: b.address, amount: '500', hash: sendB.hash }),
      ]);
      const filtered = await call({ action: 'account_history', account: GENESIS.address, count: -1, account_filter: [b.address] });
      expect(filtered.history.map((e: any) => e.hash)).toEqual([sendB.hash, DEV_GENESIS_HASH]);
      const legacy = await call({ action: 'history', hash: sendA.hash, count: 1 });
      expect(legacy).toMatchObject({ deprecated: '1', account: GENESIS.address, previous: DEV_GENESIS_HASH });
    });

    it.each([
      [{ account: GENESIS.address, count: '0' }, 'Invalid count'],
      [{ account: GENESIS.address, count: '1x' }, 'Invalid count'],
      [{ account: GENESIS.address }, 'Unable to parse JSON'],
      [{ account: GENESIS.address, count: 1, offset: 'a' }, 'Invalid offset'],
      [{ head: 'xyz', count: 1 }, 'Bad hash number'],
      [{ head: ZERO, count: 1 }, 'Block not found'],
      [{ account: ZERO_ACCOUNT, count: 1, reverse: true }, 'Account not found'],
      [{ account: BAD_CHECKSUM, count: 1 }, 'Bad account number'],
    ])('account_history %j → %s', async (params, error) => {
      expect(await call({ action: 'account_history', ...params })).toEqual({ error });
    });

    it('an unknown account has an empty history (not reversed)', async () => {
      expect(await callText({ action: 'account_history', account: ZERO_ACCOUNT, count: 1 })).toBe(`{"account":"${ZERO_ACCOUNT}","history":""}`);
    });

    it('weights, representatives and delegators agree with each other and with balances', async () => {
      const reps = (await call({ action: 'representatives', sorting: true })).representatives as Record<string, string>;
      expect(Object.entries(reps)).toEqual([
        [GENESIS.address, String(genesisBalance + 900n)],
        [r.address, '600'],
      ]);
      expect(Object.values(reps).reduce((sum, w) => sum + BigInt(w), 0n)).toBe(G);
      expect(await call({ action: 'representatives', count: 1, sorting: true })).toEqual({ representatives: { [GENESIS.address]: reps[GENESIS.address] } });
      for (const [rep, weight] of Object.entries(reps)) {
        expect(await call({ action: 'account_weight', account: rep })).toEqual({ weight });
        const delegated = (await call({ action: 'delegators', account: rep })).delegators as Record<string, string>;
        expect(Object.values(delegated).reduce((sum, w) => sum + BigInt(w), 0n)).toBe(BigInt(weight));
        expect(await call({ action: 'delegators_count', account: rep })).toEqual({ count: String(Object.keys(delegated).length) });
        for (const [account, balance] of Object.entries(delegated)) {
          expect((await call({ action: 'account_balance', account })).balance).toBe(balance);
        }
      }
      expect(await call({ action: 'delegators', account: GENESIS.address })).toEqual({
        delegators: Object.fromEntries(
          [
            [GENESIS, String(genesisBalance)],
            [a, '900'],
          ]
            .sort(([x], [y]) => ((x as Key).pub < (y as Key).pub ? -1 : 1))
            .map(([k, v]) => [(k as Key).address, v]),
        ),
      });
      expect(await call({ action: 'delegators', account: GENESIS.address, threshold: '901' })).toEqual({
        delegators: { [GENESIS.address]: String(genesisBalance) },
      });
      expect(await callText({ action: 'delegators', account: a.address })).toBe('{"delegators":""}');
      expect(await call({ action: 'accounts_representatives', accounts: [a.address, b.address, r.address] })).toEqual({
        representatives: { [a.address]: GENESIS.address, [b.address]: r.address },
        errors: { [r.address]: 'Account not found' },
      });
      expect(await call({ action: 'available_supply' })).toEqual({ available: '1500' });
    });

    it('frontiers, accounts_frontiers and account_count list the three accounts', async () => {
      const keys = [GENESIS, a, b].sort((x, y) => (x.pub.toUpperCase() < y.pub.toUpperCase() ? -1 : 1));
      const frontierOf = new Map([
        [GENESIS.address, sendB.hash],
        [a.address, changeA.hash],
        [b.address, receiveB.hash],
      ]);
      const answer = await call({ action: 'frontiers', account: ZERO_ACCOUNT, count: 10 });
      expect(Object.entries(answer.frontiers)).toEqual(keys.map((k) => [k.address, frontierOf.get(k.address)]));
      const fromSecond = await call({ action: 'frontiers', account: keys[1]!.address, count: 1 });
      expect(fromSecond).toEqual({ frontiers: { [keys[1]!.address]: frontierOf.get(keys[1]!.address) } });
      expect(await call({ action: 'frontiers', account: ZERO_ACCOUNT, count: 0 })).toEqual({ error: 'Invalid count' });
      expect(await call({ action: 'account_count' })).toEqual({ count: '3' });
      expect(await call({ action: 'accounts_frontiers', accounts: [a.address, b.address] })).toEqual({
        frontiers: { [a.address]: changeA.hash, [b.address]: receiveB.hash },
      });
    });

    it('ledger (control): sorted by balance, with representative, weight and receivable', async () => {
      const answer = await call({ action: 'ledger', sorting: true, representative: true, weight: true, receivable: true });
      expect(Object.keys(answer.accounts)).toEqual([GENESIS.address, a.address, b.address]);
      expect(Object.keys(answer.accounts[a.address])).toEqual([
        'pending',
        'receivable',
        'frontier',
        'open_block',
        'representative_block',
        'balance',
        'modified_timestamp',
        'block_count',
        'representative',
        'weight',
      ]);
      expect(answer.accounts[b.address]).toMatchObject({
        frontier: receiveB.hash,
        open_block: openB.hash,
        representative_block: receiveB.hash,
        balance: '600',
        block_count: '2',
        representative: r.address,
        weight: '0',
        pending: '0',
      });
      const limited = await call({ action: 'ledger', count: 1, threshold: '601', account: ZERO_ACCOUNT });
      const expected = [GENESIS, a, b].filter((k) => k !== b).sort((x, y) => (x.pub.toUpperCase() < y.pub.toUpperCase() ? -1 : 1))[0]!;
      expect(Object.keys(limited.accounts)).toEqual([expected.address]);
      expect(await call({ action: 'ledger', modified_since: 'soon' })).toHaveProperty('error');
    });
  });
});
