import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'undici';
import { post, tlsAgent, type RpcAnswer } from '../support/clients.js';
import { makeCa, makeClient, makeServer } from '../support/pki.js';
import { startTestServer, type TestServer, trustClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import {
  DEV_GENESIS_HASH,
  EPOCH_V1_LINK,
  GENESIS,
  GENESIS_AMOUNT,
  T,
  ZERO,
  legacyOpen,
  legacySend,
  newKey,
  state,
  work,
  workBetween,
} from '../ledger/builder.js';
import type { Built } from '../ledger/builder.js';

// The block read actions over mutual TLS, on a ledger built with `process` from nanocurrency blocks.

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let agent: Agent;

const answer = (payload: unknown): Promise<RpcAnswer> => post(server.url, JSON.stringify(payload), agent);
const call = async (payload: unknown): Promise<Record<string, unknown>> => (await answer(payload)).json;

const a = newKey();
const b = newKey();
const c = newKey();
const rep = newKey();
let legacyToB: Built; // genesis legacy send, received by bOpen
let bOpen: Built;
let sendToA: Built; // genesis state send, received by aOpen
let aOpen: Built;
let aChange: Built;
let aEpoch: Built;
let sendToC: Built; // never received

/** The node's stringified block: Boost's pretty JSON, 4-space indent, trailing newline. */
function nodeString(json: Record<string, string>): string {
  return (
    '{\n' +
    Object.entries(json)
      .map(([k, v]) => `    "${k}": "${v}"`)
      .join(',\n') +
    '\n}\n'
  );
}

/** The block in the node's serialize_json field order and case. */
function canonical(built: Built): Record<string, string> {
  const j = built.json;
  const order =
    j.type === 'state'
      ? ['type', 'account', 'previous', 'representative', 'balance', 'link', 'link_as_account', 'signature', 'work']
      : j.type === 'open'
        ? ['type', 'source', 'representative', 'account', 'work', 'signature']
        : ['type', 'previous', 'destination', 'balance', 'work', 'signature'];
  const upper = new Set(['previous', 'link', 'signature', 'source']);
  return Object.fromEntries(order.map((k) => [k, upper.has(k) ? j[k]!.toUpperCase() : k === 'work' ? j[k]!.toLowerCase() : j[k]!]));
}

async function processed(built: Built): Promise<Built> {
  expect(await call({ action: 'process', block: JSON.stringify(built.json) })).toEqual({ hash: built.hash });
  return built;
}

beforeAll(async () => {
  dir = await tempDir();
  const ca = await makeCa('blocks test CA');
  const client = await makeClient('blocks.client', ca);
  server = await startTestServer({ dir: dir.path, server: await makeServer(ca) });
  await trustClient(server, client);
  agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });

  let balance = GENESIS_AMOUNT - 1000n;
  legacyToB = await processed(await legacySend(GENESIS, DEV_GENESIS_HASH, b.pub, balance));
  bOpen = await processed(await legacyOpen(b, legacyToB.hash, GENESIS.pub));
  balance -= 5000n;
  sendToA = await processed(await state({ account: GENESIS, previous: legacyToB.hash, representative: GENESIS.pub, balance, link: a.pub }));
  aOpen = await processed(await state({ account: a, previous: ZERO, representative: GENESIS.pub, balance: 5000n, link: sendToA.hash }));
  aChange = await processed(await state({ account: a, previous: aOpen.hash, representative: rep.pub, balance: 5000n, link: ZERO }));
  aEpoch = await processed(
    await state({ account: a.pub, signer: GENESIS, previous: aChange.hash, representative: rep.pub, balance: 5000n, link: EPOCH_V1_LINK }),
  );
  balance -= 42n;
  sendToC = await processed(await state({ account: GENESIS, previous: sendToA.hash, representative: GENESIS.pub, balance, link: c.pub }));
});

afterAll(async () => {
  await agent?.close();
  await server?.stop();
  await dir?.remove();
});

describe('block_info / block', () => {
  it('describes a state send: every field a string, contents in the node string form', async () => {
    const info = await call({ action: 'block_info', hash: sendToA.hash });
    expect(info).toEqual({
      block_account: GENESIS.address,
      amount: '5000',
      balance: String(GENESIS_AMOUNT - 6000n),
      height: '3',
      local_timestamp: expect.stringMatching(/^[0-9]+$/),
      successor: sendToC.hash,
      confirmed: 'true',
      contents: nodeString(canonical(sendToA)),
      subtype: 'send',
    });
    expect(Object.keys(info)).toEqual(['block_account', 'amount', 'balance', 'height', 'local_timestamp', 'successor', 'confirmed', 'contents', 'subtype']);
    const seconds = Number(info.local_timestamp);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(600);
  });

  it('gives contents as an object with json_block, in the node field order', async () => {
    const info = await call({ action: 'block', hash: aOpen.hash, json_block: true });
    expect(info.contents).toEqual(canonical(aOpen));
    expect(Object.keys(info.contents as object)).toEqual(Object.keys(canonical(aOpen)));
    expect(info).toMatchObject({ block_account: a.address, amount: '5000', balance: '5000', height: '1', subtype: 'receive', successor: aChange.hash });
  });

  it('reports change and epoch subtypes with a zero amount, and zeros for a head without successor', async () => {
    expect(await call({ action: 'block_info', hash: aChange.hash })).toMatchObject({ subtype: 'change', amount: '0', height: '2' });
    expect(await call({ action: 'block_info', hash: aEpoch.hash })).toMatchObject({ subtype: 'epoch', amount: '0', height: '3', successor: ZERO });
  });

  it('has no subtype for legacy blocks; the genesis open moves the whole supply', async () => {
    const genesis = await call({ action: 'block_info', hash: DEV_GENESIS_HASH });
    expect(genesis).toMatchObject({
      block_account: GENESIS.address,
      amount: String(GENESIS_AMOUNT),
      balance: String(GENESIS_AMOUNT),
      height: '1',
      successor: legacyToB.hash,
    });
    expect(genesis).not.toHaveProperty('subtype');
    const open = await call({ action: 'block_info', hash: bOpen.hash, json_block: '1' });
    expect(open.contents).toEqual(canonical(bOpen));
    expect(open).toMatchObject({ amount: '1000', balance: '1000' });
    expect(open).not.toHaveProperty('subtype');
  });

  it('refuses bad and unknown hashes', async () => {
    expect(await call({ action: 'block_info', hash: 'xyz' })).toEqual({ error: 'Invalid block hash' });
    expect(await call({ action: 'block_info', hash: '1'.repeat(64) })).toEqual({ error: 'Block not found' });
    expect(await call({ action: 'block_info' })).toEqual({ error: 'Unable to parse JSON' });
  });
});

describe('blocks / blocks_info', () => {
  it('blocks: contents per hash as sent, in either form', async () => {
    const lower = aOpen.hash.toLowerCase();
    expect(await call({ action: 'blocks', hashes: [sendToA.hash, lower] })).toEqual({
      blocks: { [sendToA.hash]: nodeString(canonical(sendToA)), [lower]: nodeString(canonical(aOpen)) },
    });
    expect(await call({ action: 'blocks', hashes: [bOpen.hash], json_block: true })).toEqual({ blocks: { [bOpen.hash]: canonical(bOpen) } });
    expect(await call({ action: 'blocks', hashes: ['1'.repeat(64)] })).toEqual({ error: 'Block not found' });
    expect(await call({ action: 'blocks', hashes: ['zz'] })).toEqual({ error: 'Bad hash number' });
    expect((await answer({ action: 'blocks', hashes: [] })).text).toBe('{"blocks":""}');
  });

  it('blocks_info: the block_info fields per hash', async () => {
    const result = await call({ action: 'blocks_info', hashes: [sendToA.hash, aEpoch.hash], json_block: true });
    const blocks = result.blocks as Record<string, Record<string, unknown>>;
    expect(blocks[sendToA.hash]).toEqual({ ...(await call({ action: 'block_info', hash: sendToA.hash, json_block: true })) });
    expect(blocks[aEpoch.hash]).toMatchObject({ block_account: a.address, subtype: 'epoch', confirmed: 'true', contents: canonical(aEpoch) });
  });

  it('blocks_info receivable / pending and receive_hash: received, not yet received, not a send', async () => {
    const result = await call({
      action: 'blocks_info',
      hashes: [sendToA.hash, sendToC.hash, aOpen.hash, legacyToB.hash],
      receivable: true,
      receive_hash: true,
    });
    const blocks = result.blocks as Record<string, Record<string, unknown>>;
    expect(blocks[sendToA.hash]).toMatchObject({ pending: '0', receivable: '0', receive_hash: aOpen.hash });
    expect(blocks[sendToC.hash]).toMatchObject({ pending: '1', receivable: '1', receive_hash: ZERO });
    expect(blocks[aOpen.hash]).toMatchObject({ pending: '0', receivable: '0', receive_hash: ZERO });
    expect(blocks[legacyToB.hash]).toMatchObject({ receivable: '0', receive_hash: bOpen.hash });
    const pendingOnly = (await call({ action: 'blocks_info', hashes: [sendToC.hash], pending: 'true' })).blocks as Record<string, Record<string, unknown>>;
    expect(pendingOnly[sendToC.hash]).toMatchObject({ pending: '1', receivable: '1' });
    expect(pendingOnly[sendToC.hash]).not.toHaveProperty('receive_hash');
  });

  it('blocks_info source: the sender of a receive, "0" otherwise', async () => {
    const result = await call({ action: 'blocks_info', hashes: [aOpen.hash, bOpen.hash, sendToA.hash, DEV_GENESIS_HASH], source: true });
    const blocks = result.blocks as Record<string, Record<string, unknown>>;
    expect(blocks[aOpen.hash]!.source_account).toBe(GENESIS.address);
    expect(blocks[bOpen.hash]!.source_account).toBe(GENESIS.address);
    expect(blocks[sendToA.hash]!.source_account).toBe('0');
    // The genesis open's source is its own account, not a block.
    expect(blocks[DEV_GENESIS_HASH]!.source_account).toBe('0');
  });

  it('blocks_info include_not_found lists unknown hashes instead of failing', async () => {
    const unknown = '2'.repeat(64);
    expect(await call({ action: 'blocks_info', hashes: [unknown] })).toEqual({ error: 'Block not found' });
    const result = await call({ action: 'blocks_info', hashes: [aOpen.hash, unknown], include_not_found: true });
    expect(result.blocks_not_found).toEqual([unknown]);
    expect(Object.keys(result.blocks as object)).toEqual([aOpen.hash]);
    expect(await call({ action: 'blocks_info', hashes: ['nothex'] })).toEqual({ error: 'Bad hash number' });
    expect(await call({ action: 'blocks_info', hashes: 'not a list' })).toEqual({ error: 'Unable to parse JSON' });
  });
});

describe('block_account / block_hash / unchecked', () => {
  it('block_account', async () => {
    expect(await call({ action: 'block_account', hash: aChange.hash })).toEqual({ account: a.address });
    expect(await call({ action: 'block_account', hash: bOpen.hash })).toEqual({ account: b.address });
    expect(await call({ action: 'block_account', hash: '3'.repeat(64) })).toEqual({ error: 'Block not found' });
    expect(await call({ action: 'block_account', hash: 'g' })).toEqual({ error: 'Invalid block hash' });
  });

  it('block_hash from a string or a json_block object; like the node (block_impl (true)) it needs signature and work', async () => {
    const unsent = await state({ account: c, previous: ZERO, representative: GENESIS.pub, balance: 42n, link: sendToC.hash });
    expect(await call({ action: 'block_hash', block: JSON.stringify(unsent.json) })).toEqual({ hash: unsent.hash });
    expect(await call({ action: 'block_hash', json_block: true, block: unsent.json })).toEqual({ hash: unsent.hash });
    expect(await call({ action: 'block_hash', block: JSON.stringify(legacyToB.json) })).toEqual({ hash: legacyToB.hash });
    const { signature: _s, work: _w, ...bare } = unsent.json;
    expect(await call({ action: 'block_hash', json_block: true, block: bare })).toEqual({ error: 'Block is invalid' });
    expect(await call({ action: 'block_hash', block: unsent.json })).toEqual({ error: 'Block is invalid' });
    expect(await call({ action: 'block_hash', block: JSON.stringify({ ...unsent.json, account: 'nano_bad' }) })).toEqual({ error: 'Block is invalid' });
  });

  it('block_hash reads a balance sent as a bare number exactly, in an object or inside the block string', async () => {
    const unsent = await state({ account: c, previous: ZERO, representative: GENESIS.pub, balance: 11618869000000000000000000000000n, link: sendToC.hash });
    const bareBalance = JSON.stringify(unsent.json).replace('"balance":"11618869000000000000000000000000"', '"balance":11618869000000000000000000000000');
    expect(bareBalance).toContain('"balance":11618869000000000000000000000000');
    expect((await post(server.url, `{"action":"block_hash","json_block":true,"block":${bareBalance}}`, agent)).json).toEqual({ hash: unsent.hash });
    expect(await call({ action: 'block_hash', block: bareBalance })).toEqual({ hash: unsent.hash });
  });

  it('unchecked is always empty here', async () => {
    expect((await answer({ action: 'unchecked', count: '1' })).text).toBe('{"blocks":""}');
  });
});

describe('chain / successors', () => {
  const aChain = () => [aEpoch.hash, aChange.hash, aOpen.hash];

  it('chain walks back to the open block; successors walks forward', async () => {
    expect(await call({ action: 'chain', block: aEpoch.hash, count: '-1' })).toEqual({ blocks: aChain() });
    expect(await call({ action: 'successors', block: aOpen.hash, count: -1 })).toEqual({ blocks: [...aChain()].reverse() });
    expect(await call({ action: 'chain', block: DEV_GENESIS_HASH, count: 10, reverse: true })).toEqual({
      blocks: [DEV_GENESIS_HASH, legacyToB.hash, sendToA.hash, sendToC.hash],
    });
  });

  it('chain with reverse equals successors; count and offset page', async () => {
    expect(await call({ action: 'chain', block: aOpen.hash, count: 3, reverse: 'true' })).toEqual(
      await call({ action: 'successors', block: aOpen.hash, count: 3 }),
    );
    expect(await call({ action: 'successors', block: aOpen.hash, count: 3, reverse: true })).toEqual({ blocks: [aOpen.hash] });
    expect(await call({ action: 'chain', block: aEpoch.hash, count: 1 })).toEqual({ blocks: [aEpoch.hash] });
    expect(await call({ action: 'chain', block: aEpoch.hash, count: 1, offset: 1 })).toEqual({ blocks: [aChange.hash] });
  });

  it('an unknown start block gives {"blocks":""}; bad values give the node errors', async () => {
    expect((await answer({ action: 'successors', block: '4'.repeat(64), count: 5 })).text).toBe('{"blocks":""}');
    expect(await call({ action: 'chain', block: 'q', count: 1 })).toEqual({ error: 'Invalid block hash' });
    expect(await call({ action: 'chain', block: aOpen.hash, count: 'x' })).toEqual({ error: 'Invalid count' });
    expect(await call({ action: 'chain', block: aOpen.hash, count: 0 })).toEqual({ error: 'Invalid count' });
    expect(await call({ action: 'chain', block: aOpen.hash })).toEqual({ error: 'Unable to parse JSON' });
    expect(await call({ action: 'chain', block: aOpen.hash, count: 1, offset: 'x' })).toEqual({ error: 'Invalid offset' });
  });

  it("counts and offsets are the node's decode_unsigned: the whole text must be the number", async () => {
    for (const count of ['1x', '1.5', '1 ', '1e0']) {
      expect(await call({ action: 'chain', block: aEpoch.hash, count })).toEqual({ error: 'Invalid count' });
    }
    expect(await call({ action: 'successors', block: aOpen.hash, count: 1, offset: '1x' })).toEqual({ error: 'Invalid offset' });
    for (const count of ['+1', ' 1']) {
      expect(await call({ action: 'chain', block: aEpoch.hash, count })).toEqual({ blocks: [aEpoch.hash] });
    }
    expect(await call({ action: 'unchecked', count: '1x' })).toEqual({ error: 'Invalid count' });
  });
});

describe('work_validate', () => {
  // nano-test-vectors.json, state_blocks[0] (docs key-management receive example).
  const ROOT = '92BA74A7D6DC7557F3EDA95ADC6341D51AC777A0A6FF0688A5C492AB2B2CB40D';
  const WORK = 'c5cf86de24b24419';

  it('reports the difficulty and multiplier of the docs-consistent vector against dev thresholds', async () => {
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK })).toEqual({
      valid_all: '1',
      valid_receive: '1',
      difficulty: 'ffffffe8ba95a2bb',
      // (2^64 − 0xffc0000000000000) / (2^64 − 0xffffffe8ba95a2bb), 15 decimals (computed with Python floats).
      multiplier: '180236.182381598773645',
    });
  });

  it('adds valid only when difficulty is given; a multiplier overrides the difficulty', async () => {
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, difficulty: 'ffffffe8ba95a2bb' })).toMatchObject({ valid: '1' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, difficulty: 'ffffffe8ba95a2bc' })).toMatchObject({ valid: '0' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, difficulty: 'ffffffffffffffff', multiplier: '1' })).toMatchObject({ valid: '1' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, multiplier: '1' })).not.toHaveProperty('valid');
  });

  it('valid_all needs the epoch_2 threshold, valid_receive the epoch_2 receive threshold', async () => {
    const root = sendToC.hash;
    const receiveOnly = workBetween(root, T.receive, T.epoch2);
    const receiveAnswer = await call({ action: 'work_validate', hash: root, work: receiveOnly });
    expect(receiveAnswer).toMatchObject({ valid_all: '0', valid_receive: '1' });
    expect(BigInt('0x' + (receiveAnswer.difficulty as string))).toBeGreaterThanOrEqual(0xf000000000000000n);
    expect(Number(receiveAnswer.multiplier)).toBeLessThan(1);
    expect(receiveAnswer.multiplier).toMatch(/^0\.[0-9]{15}$/);
    expect(await call({ action: 'work_validate', hash: root, work: await work(root, T.epoch2) })).toMatchObject({ valid_all: '1', valid_receive: '1' });
    expect(await call({ action: 'work_validate', hash: root, work: workBetween(root, '0000000000000000', T.receive) })).toMatchObject({
      valid_all: '0',
      valid_receive: '0',
    });
  });

  it('answers the node errors for bad values', async () => {
    expect(await call({ action: 'work_validate', hash: 'zz', work: WORK })).toEqual({ error: 'Invalid block hash' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: 'xyz' })).toEqual({ error: 'Bad work' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: '1'.repeat(17) })).toEqual({ error: 'Bad work' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, difficulty: 'nothex' })).toEqual({ error: 'Bad difficulty' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, multiplier: '-1' })).toEqual({ error: 'Bad multiplier' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, multiplier: 'abc' })).toEqual({ error: 'Bad multiplier' });
    expect(await call({ action: 'work_validate', hash: ROOT, work: WORK, version: 'work_2' })).toEqual({ error: 'Bad work version' });
    expect(await call({ action: 'work_validate', work: WORK })).toEqual({ error: 'Unable to parse JSON' });
  });
});
