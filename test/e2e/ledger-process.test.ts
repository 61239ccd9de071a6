import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from 'undici';
import { post, tlsAgent } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, type TestServer, trustClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';
import {
  DEV_GENESIS_HASH,
  EPOCH_V1_LINK,
  EPOCH_V2_LINK,
  GENESIS,
  GENESIS_AMOUNT,
  T,
  ZERO,
  legacyChange,
  legacyOpen,
  legacyReceive,
  legacySend,
  newKey,
  state,
  workBetween,
} from '../ledger/builder.js';
import type { Built, Key } from '../ledger/builder.js';

// `process` over mutual TLS against a real LMDB ledger: every block kind accepted, every refusal the
// node can answer, and after each refusal the ledger counts are unchanged.

interface Running {
  readonly dir: { path: string; remove: () => Promise<void> };
  readonly server: TestServer;
  readonly agents: Agent[];
}

let ca: Identity;
let client: Identity;
let main: Running;

async function start(topLevel = ''): Promise<Running> {
  const dir = await tempDir();
  const server = await startTestServer({ dir: dir.path, server: await makeServer(ca), topLevel });
  await trustClient(server, client);
  return { dir, server, agents: [] };
}

async function stop(running: Running | undefined): Promise<void> {
  if (!running) return;
  for (const agent of running.agents) await agent.close();
  await running.server.stop();
  await running.dir.remove();
}

function agentOf(running: Running, index = 0): Agent {
  while (running.agents.length <= index) running.agents.push(tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem }));
  return running.agents[index]!;
}

async function call(payload: unknown, running: Running = main, connection = 0): Promise<Record<string, unknown>> {
  return (await post(running.server.url, JSON.stringify(payload), agentOf(running, connection))).json;
}

const counts = (running: Running = main) => call({ action: 'block_count' }, running);

function processBlock(b: Built, extra: Record<string, unknown> = {}, running: Running = main): Promise<Record<string, unknown>> {
  return call({ action: 'process', block: JSON.stringify(b.json), ...extra }, running);
}

async function accepted(b: Built, extra: Record<string, unknown> = {}): Promise<void> {
  expect(await processBlock(b, extra)).toEqual({ hash: b.hash });
}

/** Sends `payload` and expects the node's error text with the ledger left exactly as it was. */
async function refusedRaw(payload: Record<string, unknown>, error: string, running: Running = main): Promise<void> {
  const before = await counts(running);
  expect(await call(payload, running)).toEqual({ error });
  expect(await counts(running)).toEqual(before);
}

const refused = (b: Built, error: string, extra: Record<string, unknown> = {}) =>
  refusedRaw({ action: 'process', block: JSON.stringify(b.json), ...extra }, error);

const randomHash = (): string => randomBytes(32).toString('hex').toUpperCase();

// Ledger state built up by the tests below, in order.
const a: Key = newKey(); // state account: open, receive, change, epochs
const b: Key = newKey(); // legacy account
const rep: Key = newKey();
let genesisHead = DEV_GENESIS_HASH;
let genesisBalance = GENESIS_AMOUNT;
let aHead = ZERO;
let aBalance = 0n;
let aRep = GENESIS.pub;
let bHead = ZERO;
let bBalance = 0n;
let legacySendToB: Built;
let firstSendToA: Built;

async function genesisStateSend(to: string, amount: bigint, extra: Partial<Parameters<typeof state>[0]> = {}): Promise<Built> {
  return state({ account: GENESIS, previous: genesisHead, representative: GENESIS.pub, balance: genesisBalance - amount, link: to, ...extra });
}

beforeAll(async () => {
  ca = await makeCa('process test CA');
  client = await makeClient('process.client', ca);
  main = await start();
});

afterAll(async () => {
  await stop(main);
});

describe('process: accepted blocks', () => {
  it('accepts legacy send, open, receive and change from the genesis chain', async () => {
    legacySendToB = await legacySend(GENESIS, genesisHead, b.pub, genesisBalance - 3000n);
    await accepted(legacySendToB);
    genesisHead = legacySendToB.hash;
    genesisBalance -= 3000n;

    const open = await legacyOpen(b, legacySendToB.hash, GENESIS.pub);
    await accepted(open);
    bHead = open.hash;
    bBalance = 3000n;

    const second = await legacySend(GENESIS, genesisHead, b.pub, genesisBalance - 1000n);
    await accepted(second);
    genesisHead = second.hash;
    genesisBalance -= 1000n;
    const receive = await legacyReceive(b, bHead, second.hash);
    await accepted(receive);
    bHead = receive.hash;
    bBalance += 1000n;

    const change = await legacyChange(b, bHead, rep.pub);
    await accepted(change);
    bHead = change.hash;
    expect(await counts()).toEqual({ count: '6', unchecked: '0', cemented: '6' });
  });

  it('accepts a state send from genesis (subtype send)', async () => {
    firstSendToA = await genesisStateSend(a.pub, 10_000n);
    await accepted(firstSendToA, { subtype: 'send' });
    genesisHead = firstSendToA.hash;
    genesisBalance -= 10_000n;
  });

  it('accepts a state open given as a JSON object with json_block (subtype open)', async () => {
    const open = await state({ account: a, previous: ZERO, representative: GENESIS.pub, balance: 10_000n, link: firstSendToA.hash });
    expect(await call({ action: 'process', json_block: true, subtype: 'open', block: open.json })).toEqual({ hash: open.hash });
    aHead = open.hash;
    aBalance = 10_000n;
  });

  it('accepts a state receive (subtype receive) and a change (subtype change)', async () => {
    const send = await genesisStateSend(a.pub, 500n);
    await accepted(send);
    genesisHead = send.hash;
    genesisBalance -= 500n;
    const receive = await state({ account: a, previous: aHead, representative: aRep, balance: aBalance + 500n, link: send.hash });
    await accepted(receive, { subtype: 'receive' });
    aHead = receive.hash;
    aBalance += 500n;

    const change = await state({ account: a, previous: aHead, representative: rep.pub, balance: aBalance, link: ZERO });
    await accepted(change, { subtype: 'change' });
    aHead = change.hash;
    aRep = rep.pub;
  });

  it('accepts epoch v1 and v2 upgrades signed by the dev genesis key (subtype epoch)', async () => {
    const v1 = await state({ account: a.pub, signer: GENESIS, previous: aHead, representative: aRep, balance: aBalance, link: EPOCH_V1_LINK });
    await accepted(v1, { subtype: 'epoch' });
    aHead = v1.hash;
    const v2 = await state({ account: a.pub, signer: GENESIS, previous: aHead, representative: aRep, balance: aBalance, link: EPOCH_V2_LINK });
    await accepted(v2, { subtype: 'epoch' });
    aHead = v2.hash;
    const info = await call({ action: 'block_info', hash: v2.hash });
    expect(info).toMatchObject({ subtype: 'epoch', balance: String(aBalance), confirmed: 'true' });
  });

  it('accepts block values written as JSON numbers and booleans, as the node reads them', async () => {
    const small = newKey();
    const send = await genesisStateSend(small.pub, 1n);
    await accepted(send);
    genesisHead = send.hash;
    genesisBalance -= 1n;
    // The node's property tree holds every JSON scalar as text: "balance": 1 is "1".
    const open = await state({ account: small, previous: ZERO, representative: GENESIS.pub, balance: 1n, link: send.hash });
    expect(await call({ action: 'process', json_block: 'true', block: { ...open.json, balance: 1 } })).toEqual({ hash: open.hash });
  });
});

describe('process: async', () => {
  it('answers started for a state block, and the block lands (a later identical block is Old)', async () => {
    const d = newKey();
    const send = await genesisStateSend(d.pub, 7n);
    const before = Number((await counts()).count);
    expect(await processBlock(send, { async: true })).toEqual({ started: '1' });
    // Same connection, later request: processing is FIFO, so by this answer the async block is in.
    expect(await processBlock(send)).toEqual({ error: 'Old block' });
    expect(Number((await counts()).count)).toBe(before + 1);
    expect(await call({ action: 'block_account', hash: send.hash })).toEqual({ account: GENESIS.address });
    genesisHead = send.hash;
    genesisBalance -= 7n;
  });

  it('refuses a legacy block with "Must be a state block"', async () => {
    const legacy = await legacySend(b, bHead, GENESIS.pub, bBalance - 1n);
    await refused(legacy, 'Must be a state block', { async: true });
  });

  it('still checks entry work before answering', async () => {
    const send = await genesisStateSend(a.pub, 1n, { workValue: workBetween(genesisHead, '0000000000000000', T.receive) });
    await refused(send, 'Block work is less than threshold', { async: 'true' });
  });
});

describe('process: refusals leave the ledger unchanged', () => {
  it('Bad signature', async () => {
    await refused(await genesisStateSend(a.pub, 1n, { signer: a }), 'Bad signature');
  });

  it('Block work is less than threshold (below the entry threshold)', async () => {
    await refused(
      await genesisStateSend(a.pub, 1n, { workValue: workBetween(genesisHead, '0000000000000000', T.receive) }),
      'Block work is less than threshold',
    );
  });

  it('Block work is insufficient (above entry, below the epoch_1 threshold of a send)', async () => {
    await refused(await genesisStateSend(a.pub, 1n, { workValue: workBetween(genesisHead, T.receive, T.epoch1) }), 'Block work is insufficient');
  });

  it('Block work is insufficient for a send of an epoch_2 account (epoch_1 work is not enough)', async () => {
    const send = await state({
      account: a,
      previous: aHead,
      representative: aRep,
      balance: aBalance - 1n,
      link: GENESIS.pub,
      workValue: workBetween(aHead, T.epoch1, T.epoch2),
    });
    await refused(send, 'Block work is insufficient');
  });

  it('Fork', async () => {
    await refused(await genesisStateSend(a.pub, 1n, { previous: firstSendToA.hash, balance: genesisBalance - 1n }), 'Fork');
  });

  it('Old block', async () => {
    await refused(firstSendToA, 'Old block');
  });

  it('Gap previous block (ledger, and in the subtype check)', async () => {
    const gap = await state({ account: a, previous: randomHash(), representative: aRep, balance: aBalance, link: ZERO });
    await refused(gap, 'Gap previous block');
    await refused(gap, 'Gap previous block', { subtype: 'change' });
  });

  it('Gap source block', async () => {
    await refused(await state({ account: newKey(), previous: ZERO, representative: GENESIS.pub, balance: 5n, link: randomHash() }), 'Gap source block');
  });

  it('Negative spend (legacy send above the balance)', async () => {
    await refused(await legacySend(b, bHead, GENESIS.pub, bBalance + 1n), 'Negative spend');
  });

  it('Balance and amount delta do not match', async () => {
    await refused(
      await state({ account: a, previous: aHead, representative: aRep, balance: aBalance + 1n, link: ZERO }),
      'Balance and amount delta do not match',
    );
  });

  it('Unreceivable (a send already received)', async () => {
    const again = await state({ account: a, previous: aHead, representative: aRep, balance: aBalance + 10_000n, link: firstSendToA.hash });
    await refused(again, 'Unreceivable');
  });

  it('Block attempts to open the burn account', async () => {
    const burn = await state({ account: ZERO, signer: GENESIS, previous: ZERO, representative: ZERO, balance: 0n, link: EPOCH_V1_LINK });
    await refused(burn, 'Block attempts to open the burn account');
  });

  it('This block cannot follow the previous block (legacy after state)', async () => {
    await refused(await legacySend(GENESIS, genesisHead, a.pub, genesisBalance - 1n), 'This block cannot follow the previous block');
  });

  it('Gap pending for open epoch block', async () => {
    const lonely = newKey();
    await refused(
      await state({ account: lonely.pub, signer: GENESIS, previous: ZERO, representative: ZERO, balance: 0n, link: EPOCH_V1_LINK }),
      'Gap pending for open epoch block',
    );
  });

  it('Error processing block (an epoch block changing the representative)', async () => {
    const b2 = await state({ account: b.pub, signer: GENESIS, previous: bHead, representative: GENESIS.pub, balance: bBalance, link: EPOCH_V1_LINK });
    await refused(b2, 'Error processing block');
  });

  it.each([
    [
      'send',
      'a change',
      'Invalid block balance for given subtype',
      (): Promise<Built> => state({ account: a, previous: aHead, representative: aRep, balance: aBalance, link: ZERO }),
    ],
    ['receive', 'a send', 'Invalid block balance for given subtype', (): Promise<Built> => genesisStateSend(a.pub, 1n)],
    ['change', 'a send', 'Invalid block balance for given subtype', (): Promise<Built> => genesisStateSend(a.pub, 1n)],
    ['open', 'a block with a previous', 'Invalid previous block for given subtype', (): Promise<Built> => genesisStateSend(a.pub, 1n)],
    [
      'epoch',
      'a change',
      'Invalid epoch link',
      (): Promise<Built> => state({ account: a, previous: aHead, representative: GENESIS.pub, balance: aBalance, link: ZERO }),
    ],
    ['bogus', 'a send', 'Invalid block subtype', (): Promise<Built> => genesisStateSend(a.pub, 1n)],
  ])('subtype %s on %s: %s', async (subtype, _what, error, build) => {
    await refused(await build(), error, { subtype });
  });

  it('Block is invalid: object without json_block, string with json_block, malformed JSON, missing field', async () => {
    const send = await genesisStateSend(a.pub, 1n);
    await refusedRaw({ action: 'process', block: send.json }, 'Block is invalid');
    await refusedRaw({ action: 'process', json_block: true, block: JSON.stringify(send.json) }, 'Block is invalid');
    await refusedRaw({ action: 'process', block: '{"type": "state",' }, 'Block is invalid');
    await refusedRaw({ action: 'process', block: JSON.stringify({ ...send.json, signature: undefined }) }, 'Block is invalid');
    await refusedRaw({ action: 'process', block: JSON.stringify({ ...send.json, type: 'utx' }) }, 'Block is invalid');
  });

  it('Unable to parse JSON without a block', async () => {
    await refusedRaw({ action: 'process' }, 'Unable to parse JSON');
  });

  it('RPC control is disabled for force', async () => {
    await refused(await genesisStateSend(a.pub, 1n), 'RPC control is disabled', { force: true });
  });
});

describe('process: concurrent requests share commits without affecting each other', () => {
  it('accepts every valid block of a concurrent burst and refuses only the bad ones', async () => {
    const receivers = Array.from({ length: 12 }, () => newKey());
    const sends: Built[] = [];
    for (const key of receivers) {
      const send = await genesisStateSend(key.pub, 100n);
      await accepted(send);
      sends.push(send);
      genesisHead = send.hash;
      genesisBalance -= 100n;
    }
    const opens = await Promise.all(
      receivers.map((key, i) => state({ account: key, previous: ZERO, representative: GENESIS.pub, balance: 100n, link: sends[i]!.hash })),
    );
    // Interleaved refusals: bad signatures and a wrong amount, which must not spoil their batch.
    const bad = await Promise.all(
      receivers.slice(0, 4).map((key, i) => state({ account: key, previous: ZERO, representative: GENESIS.pub, balance: 99n, link: sends[i]!.hash })),
    );
    const before = Number((await counts()).count);
    const send = (block: Built, i: number) => call({ action: 'process', block: JSON.stringify(block.json) }, main, i % 8);
    const answers = await Promise.all([
      ...opens.map((open, i) => send(open, i).then((answer) => ({ answer, expected: { hash: open.hash } }))),
      ...bad.map((block, i) => send(block, i + 3).then((answer) => ({ answer, expected: undefined }))),
    ]);
    for (const { answer, expected } of answers) {
      if (expected) expect(answer).toEqual(expected);
      // A bad block loses to its good twin either way: before it, a wrong amount; after it, a fork.
      else expect(['Balance and amount delta do not match', 'Fork']).toContain(answer.error);
    }
    expect(Number((await counts()).count)).toBe(before + opens.length);
  });

  it('keeps arrival order across eight connections: a chain sent request by request lands in full', async () => {
    const before = Number((await counts()).count);
    const chainBlocks: Built[] = [];
    for (let i = 0; i < 16; i++) {
      const send = await genesisStateSend(a.pub, 1n);
      chainBlocks.push(send);
      genesisHead = send.hash;
      genesisBalance -= 1n;
    }
    // Each block is sent once its predecessor has been answered, on a rotating connection.
    for (const [i, block] of chainBlocks.entries()) {
      expect(await call({ action: 'process', block: JSON.stringify(block.json) }, main, i % 8)).toEqual({ hash: block.hash });
    }
    expect(Number((await counts()).count)).toBe(before + 16);
  });
});

describe('process with enable_control', () => {
  let controlled: Running | undefined;
  afterAll(async () => {
    await stop(controlled);
  });

  it('accepts force, and a forced fork is still refused: every block here is cemented on arrival', async () => {
    controlled = await start('enable_control = true');
    const key = newKey();
    const one = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 1n, link: key.pub });
    const other = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 2n, link: key.pub });
    expect(await processBlock(one, { force: true }, controlled)).toEqual({ hash: one.hash });
    await refusedRaw({ action: 'process', force: true, block: JSON.stringify(other.json) }, 'Fork', controlled);
  });
});
