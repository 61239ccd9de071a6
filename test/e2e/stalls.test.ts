import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, type Built } from '../ledger/builder.js';

// Handling is synchronous, so one huge request used to stall every client for seconds (issue 8,
// item 2). Requests are now bounded before the expensive part: the body's value count before
// JSON.parse, list parameters, and the `block` string of block_hash/process. The stall figure
// itself (p99 of a small request while big ones run) is measured by `npm run bench`.

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;
let send: Built;

beforeAll(async () => {
  dir = await tempDir();
  server = await startTestServer({ dir: dir.path });
  agent = new Agent({ connections: 1 });
  send = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 1n, link: newKey().pub });
});

afterAll(async () => {
  await agent.close();
  await server.stop();
  await dir.remove();
});

const call = async (payload: unknown) => (await post(server.url, JSON.stringify(payload), agent)).json;
const hashes = (n: number) => Array.from({ length: n }, (_, i) => i.toString(16).toUpperCase().padStart(64, '0'));

describe('list parameters hold at most 1,024 entries', () => {
  it('answers blocks_info and accounts_balances with 1,024 entries', async () => {
    expect(await call({ action: 'blocks_info', hashes: [DEV_GENESIS_HASH, ...hashes(1023)], include_not_found: 'true' })).toMatchObject({
      blocks: { [DEV_GENESIS_HASH]: { height: '1' } },
    });
    const accounts = [GENESIS.address, ...Array.from({ length: 1023 }, () => send.json.link_as_account)];
    const balances = await call({ action: 'accounts_balances', accounts });
    expect(balances.balances).toHaveProperty([GENESIS.address]);
  });

  it.each([
    ['blocks_info', 'hashes'],
    ['blocks', 'hashes'],
    ['accounts_balances', 'accounts'],
    ['accounts_frontiers', 'accounts'],
    ['accounts_receivable', 'accounts'],
  ])('refuses %s with 1,025 %s', async (action, field) => {
    const values = field === 'hashes' ? hashes(1025) : Array.from({ length: 1025 }, () => GENESIS.address);
    expect(await call({ action, [field]: values })).toEqual({ error: 'List has too many entries (1024 at most)' });
  });
});

describe('a body with more values than any request needs is refused before it is parsed', () => {
  it('refuses 5,000 accounts before parsing them', async () => {
    const body = JSON.stringify({ action: 'accounts_balances', accounts: Array.from({ length: 5000 }, () => GENESIS.address) });
    expect((await post(server.url, body, agent)).json).toEqual({ error: 'Request has too many values (4096 at most)' });
    expect(await call({ action: 'block_count' })).toMatchObject({ count: '1' });
  });

  it('refuses 480k accounts (was 7 s of every client waiting) by the default 1 MiB body limit', async () => {
    const body = JSON.stringify({ action: 'accounts_balances', accounts: Array.from({ length: 480_000 }, () => GENESIS.address) });
    expect((await post(server.url, body, agent)).json).toEqual({ error: 'Invalid header: body limit exceeded' });
  });
});

describe('the block string of block_hash and process is bounded like a block', () => {
  it('takes a block string with some whitespace', async () => {
    expect(await call({ action: 'block_hash', block: JSON.stringify(send.json, null, 4) })).toEqual({ hash: send.hash });
  });

  it('refuses a block string over 16 KiB, even if it is a valid block with padding', async () => {
    const padded = JSON.stringify(send.json).replace('{', '{' + ' '.repeat(17 * 1024));
    expect(await call({ action: 'block_hash', block: padded })).toEqual({ error: 'Block is invalid' });
    expect(await call({ action: 'process', block: padded })).toEqual({ error: 'Block is invalid' });
  });

  it('refuses a block string nested deeper than a block (the inner string had no depth limit)', async () => {
    const nested = JSON.stringify({ ...send.json, extra: JSON.parse('[[[[[[["x"]]]]]]]') as unknown });
    expect(await call({ action: 'block_hash', block: nested })).toEqual({ error: 'Block is invalid' });
  });
});
