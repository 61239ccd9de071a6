import * as nano from 'nanocurrency';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/ledger.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, ZERO, newKey, state, T } from '../ledger/builder.js';
import { post } from '../support/clients.js';
import { startServerWithClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const RAW_PER_NANO = 10n ** 30n;
const U128 = 1n << 128n;
const DOCS_KEY = '781186FB9EF17DB6E3D1056550D9FAE5D5BBADA6A6BC370E4CBB938B1DC71DA3';
const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;

const call = async (payload: Record<string, unknown>): Promise<Record<string, unknown>> => (await post(server.url, JSON.stringify(payload), agent)).json;

beforeAll(async () => {
  dir = await tempDir();
  // The ledger is seeded before the server opens it (genesis → send → open), so telemetry has
  // counts that differ from a fresh ledger's.
  const receiver = newKey();
  const send = await state({
    account: GENESIS,
    previous: DEV_GENESIS_HASH,
    representative: GENESIS.pub,
    balance: GENESIS_AMOUNT - 1000n,
    link: receiver.pub,
    threshold: T.epoch1,
  });
  const open = await state({ account: receiver, previous: ZERO, representative: receiver.pub, balance: 1000n, link: send.hash, threshold: T.epoch1 });
  const seeded = await openLedger({ path: join(dir.path, 'ledger') });
  try {
    expect(seeded.processBatch([{ block: send.block }, { block: open.block }]).every((r) => r.ok)).toBe(true);
  } finally {
    await seeded.close();
  }
  ({ server, agent } = await startServerWithClient(dir.path, 'utility'));
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('validate_account_number', () => {
  it('says "1" for a valid account in every accepted spelling', async () => {
    expect(await call({ action: 'validate_account_number', account: GENESIS_ACCOUNT })).toEqual({ valid: '1' });
    expect(await call({ action: 'validate_account_number', account: 'xrb_' + GENESIS_ACCOUNT.slice(5) })).toEqual({ valid: '1' });
    expect(await call({ action: 'validate_account_number', account: 'node_' + GENESIS_ACCOUNT.slice(5) })).toEqual({ valid: '1' });
  });

  it('flags the deprecated "-" separator as the node does', async () => {
    const answer = await call({ action: 'validate_account_number', account: 'nano-' + GENESIS_ACCOUNT.slice(5) });
    expect(answer).toEqual({ deprecated_account_format: '1', valid: '1' });
  });

  it.each([
    ['a flipped first digit', 'nano_1' + GENESIS_ACCOUNT.slice(6)],
    ['a bad checksum', GENESIS_ACCOUNT.slice(0, -1) + '1'],
    ['a short account', GENESIS_ACCOUNT.slice(0, -2)],
    ['junk', 'hello'],
    ['a number', 42],
  ])('says "0" (not an error) for %s', async (_name, account) => {
    expect(await call({ action: 'validate_account_number', account })).toEqual({ valid: '0' });
  });

  it('answers "Unable to parse JSON" without an account', async () => {
    expect(await call({ action: 'validate_account_number' })).toEqual({ error: 'Unable to parse JSON' });
  });
});

describe('key_create and key_expand', () => {
  it('creates random keys whose public key and account match the private key', async () => {
    const first = await call({ action: 'key_create' });
    const second = await call({ action: 'key_create' });
    for (const answer of [first, second]) {
      expect(Object.keys(answer)).toEqual(['private', 'public', 'account']);
      expect(answer.private).toMatch(/^[0-9A-F]{64}$/);
      const pub = nano.derivePublicKey(answer.private as string);
      expect(answer.public).toBe(pub.toUpperCase());
      expect(answer.account).toBe(nano.deriveAddress(pub, { useNanoPrefix: true }));
    }
    expect(first.private).not.toBe(second.private);
  });

  it('expands the documented key', async () => {
    expect(await call({ action: 'key_expand', key: DOCS_KEY })).toEqual({
      private: DOCS_KEY,
      public: '3068BB1CA04525BB0E416C485FE6A67FD52540227D267CC8B6E8DA958A7FA039',
      account: 'nano_1e5aqegc1jb7qe964u4adzmcezyo6o146zb8hm6dft8tkp79za3sxwjym5rx',
    });
  });

  it('reads a short key left-padded and lower-case hex, as decode_hex does', async () => {
    const zero = await call({ action: 'key_expand', key: '0' });
    expect(zero).toMatchObject({ private: '0'.repeat(64), public: '19D3D919475DEED4696B5D13018151D1AF88B2BD3BCFF048B45031C1F36D1858' });
    expect((await call({ action: 'key_expand', key: DOCS_KEY.toLowerCase() })).private).toBe(DOCS_KEY);
  });

  it.each([
    ['not hex', 'xyz'],
    ['too long', DOCS_KEY + '0'],
    ['empty', ''],
  ])('answers "Bad private key" for a key that is %s', async (_name, key) => {
    expect(await call({ action: 'key_expand', key })).toEqual({ error: 'Bad private key' });
  });

  it('answers "Unable to parse JSON" without a key', async () => {
    expect(await call({ action: 'key_expand' })).toEqual({ error: 'Unable to parse JSON' });
  });
});

describe('nano_to_raw and raw_to_nano', () => {
  it('converts with 10^30 raw per nano, numbers or strings', async () => {
    expect(await call({ action: 'nano_to_raw', amount: '1' })).toEqual({ amount: '1000000000000000000000000000000' });
    expect(await call({ action: 'nano_to_raw', amount: 340 })).toEqual({ amount: String(340n * RAW_PER_NANO) });
    expect(await call({ action: 'raw_to_nano', amount: '1000000000000000000000000000000' })).toEqual({ amount: '1' });
  });

  it('raw_to_nano truncates', async () => {
    expect(await call({ action: 'raw_to_nano', amount: '1999999999999999999999999999999' })).toEqual({ amount: '1' });
    expect(await call({ action: 'raw_to_nano', amount: '999' })).toEqual({ amount: '0' });
    expect(await call({ action: 'raw_to_nano', amount: String(GENESIS_AMOUNT) })).toEqual({ amount: '340282366' });
  });

  it('keeps the node quirk: "0" is "Amount too big"', async () => {
    expect(await call({ action: 'nano_to_raw', amount: '0' })).toEqual({ error: 'Amount too big' });
  });

  it('keeps the node quirk: products wrap at 2^128; too big only when the wrapped value is not larger', async () => {
    expect(await call({ action: 'nano_to_raw', amount: String(GENESIS_AMOUNT) })).toEqual({ error: 'Amount too big' });
    // 10^9 nano = 10^39 raw > 2^128: the node prints the wrapped product.
    const wrapped = (10n ** 9n * RAW_PER_NANO) % U128;
    expect(wrapped).toBeGreaterThan(10n ** 9n);
    expect(await call({ action: 'nano_to_raw', amount: '1000000000' })).toEqual({ amount: String(wrapped) });
  });

  it.each([
    ['not a number', 'abc'],
    ['negative', '-1'],
    ['a leading zero', '01'],
    ['a fraction', '1.5'],
    ['more than uint128', String(U128)],
    ['40 digits', '1'.repeat(40)],
  ])('answers "Invalid amount number" for %s', async (_name, amount) => {
    expect(await call({ action: 'nano_to_raw', amount })).toEqual({ error: 'Invalid amount number' });
    expect(await call({ action: 'raw_to_nano', amount })).toEqual({ error: 'Invalid amount number' });
  });

  it('answers "Unable to parse JSON" without an amount', async () => {
    expect(await call({ action: 'nano_to_raw' })).toEqual({ error: 'Unable to parse JSON' });
    expect(await call({ action: 'raw_to_nano' })).toEqual({ error: 'Unable to parse JSON' });
  });
});

describe('telemetry and peers', () => {
  it('reports this node: ledger counts, genesis, version, dev difficulty', async () => {
    const before = Date.now();
    const answer = await call({ action: 'telemetry' });
    expect(Object.keys(answer)).toEqual([
      'block_count',
      'cemented_count',
      'unchecked_count',
      'account_count',
      'bandwidth_cap',
      'peer_count',
      'protocol_version',
      'uptime',
      'genesis_block',
      'major_version',
      'minor_version',
      'patch_version',
      'pre_release_version',
      'maker',
      'timestamp',
      'active_difficulty',
      'node_id',
      'signature',
    ]);
    expect(answer).toMatchObject({
      block_count: '3',
      cemented_count: '3',
      unchecked_count: '0',
      account_count: '2',
      bandwidth_cap: '0',
      peer_count: '0',
      protocol_version: '21',
      genesis_block: DEV_GENESIS_HASH,
      major_version: '0',
      minor_version: '1',
      patch_version: '0',
      pre_release_version: '0',
      active_difficulty: 'ffc0000000000000',
      signature: '0'.repeat(128),
    });
    expect(Number(answer.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(answer.timestamp)).toBeLessThanOrEqual(Date.now());
    expect(answer.uptime).toMatch(/^[0-9]+$/);
    expect(nano.checkAddress((answer.node_id as string).replace(/^node_/, 'nano_'))).toBe(true);
    expect((await call({ action: 'telemetry' })).node_id).toBe(answer.node_id);
    expect(await call({ action: 'block_count' })).toEqual({ count: '3', unchecked: '0', cemented: '3' });
  });

  it('raw lists what peers reported: none', async () => {
    expect(await call({ action: 'telemetry', raw: 'true' })).toEqual({ metrics: '' });
  });

  it('answers for its own endpoint (loopback, dev peering port) and no other', async () => {
    expect(await call({ action: 'telemetry', address: '::1', port: '44000' })).toMatchObject({ genesis_block: DEV_GENESIS_HASH });
    expect(await call({ action: 'telemetry', address: '127.0.0.1', port: 44000 })).toMatchObject({ block_count: '3' });
    expect(await call({ action: 'telemetry', address: '10.0.0.1', port: '44000' })).toEqual({ error: 'Peer not found' });
    expect(await call({ action: 'telemetry', address: '::1', port: '7075' })).toEqual({ error: 'Peer not found' });
  });

  it.each([
    [{ address: '::1' }, 'Both port and address required'],
    [{ port: '44000' }, 'Both port and address required'],
    [{ address: '::1', port: 'x' }, 'Invalid port'],
    [{ address: '::1', port: '65536' }, 'Invalid port'],
    [{ address: 'not an ip', port: '44000' }, 'Invalid IP address'],
  ])('refuses %o with the node error', async (params, error) => {
    expect(await call({ action: 'telemetry', ...params })).toEqual({ error });
  });

  it('has no peers', async () => {
    expect(await call({ action: 'peers' })).toEqual({ peers: '' });
    expect(await call({ action: 'peers', peer_details: true })).toEqual({ peers: '' });
  });
});
