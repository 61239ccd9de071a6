import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/ledger.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import type { ProcessResult } from '../../src/ledger/process/codes.js';
import type { Block } from '../../src/ledger/blocks/types.js';
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
} from './builder.js';
import type { Built, Key } from './builder.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fresh(): Promise<{ ledger: Ledger; path: string }> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  let t = 1_700_000_000n;
  const ledger = await openLedger({ path: dir.path, clock: () => t++ });
  cleanups.push(() => ledger.close());
  return { ledger, path: dir.path };
}

function ok(ledger: Ledger, b: Built, opts?: { subtype?: string }): void {
  expect(ledger.process(b.block, opts)).toEqual({ ok: true, hash: b.hash });
}

function refused(ledger: Ledger, block: Block, code: string, opts?: { subtype?: string }): void {
  const before = ledger.counts();
  expect(ledger.process(block, opts)).toEqual<ProcessResult>({ ok: false, code } as ProcessResult);
  expect(ledger.counts()).toEqual(before);
}

/** Genesis (legacy open head) sends `amount` to `to` with a state block. */
async function genesisSend(ledger: Ledger, to: Key, amount: bigint, previous = DEV_GENESIS_HASH): Promise<Built> {
  const balance = ledger.accountInfo(hex(GENESIS.pub))!.balance - amount;
  const b = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance, link: to.pub });
  ok(ledger, b);
  return b;
}

/** Ledger invariant: weights plus receivables account for the whole supply. */
function expectSupplyConserved(ledger: Ledger, accounts: Key[]): void {
  const weights = ledger.representatives().reduce((s, r) => s + r.weight, 0n);
  const receivable = [GENESIS, ...accounts].reduce((s, k) => s + ledger.accountBalance(hex(k.pub)).receivable, 0n);
  expect(weights + receivable).toBe(GENESIS_AMOUNT);
}

describe('state blocks', () => {
  it('send, open-receive, send back, change, receive: balances, weights, receivables, sideband', async () => {
    const { ledger } = await fresh();
    const a = newKey();
    const rep = newKey();

    const send = await genesisSend(ledger, a, 1000n);
    expect(ledger.counts()).toEqual({ blocks: 2n, cemented: 2n, unchecked: 0n, accounts: 1n });
    expect(ledger.accountBalance(hex(a.pub))).toEqual({ balance: 0n, receivable: 1000n });
    expect(ledger.receivable(hex(a.pub))).toEqual([{ hash: send.hash, amount: 1000n, source: GENESIS.address, epoch: 0 }]);
    expect(ledger.weight(hex(GENESIS.pub))).toBe(GENESIS_AMOUNT - 1000n);
    const genesisInfo = ledger.blockInfo(hex(DEV_GENESIS_HASH))!;
    expect(genesisInfo.successor).toBe(send.hash);
    expect(genesisInfo).toMatchObject({ height: 1n, amount: GENESIS_AMOUNT, subtype: undefined, kind: 'open' });
    expect(ledger.blockInfo(hex(send.hash))).toMatchObject({
      account: GENESIS.address,
      amount: 1000n,
      balance: GENESIS_AMOUNT - 1000n,
      height: 2n,
      subtype: 'send',
      successor: ZERO,
      confirmed: true,
      linkedAccount: a.address,
      localTimestamp: 1_700_000_001n,
    });
    expect(ledger.blockInfo(hex(send.hash))!.contents).toEqual(send.json);

    const open = await state({ account: a, previous: ZERO, representative: rep.pub, balance: 1000n, link: send.hash });
    ok(ledger, open);
    expect(ledger.counts()).toEqual({ blocks: 3n, cemented: 3n, unchecked: 0n, accounts: 2n });
    expect(ledger.accountBalance(hex(a.pub))).toEqual({ balance: 1000n, receivable: 0n });
    expect(ledger.weight(hex(rep.pub))).toBe(1000n);
    expect(ledger.blockInfo(hex(open.hash))).toMatchObject({ subtype: 'receive', amount: 1000n, linkedAccount: GENESIS.address, height: 1n });
    expect(ledger.accountInfo(hex(a.pub))).toMatchObject({
      frontier: open.hash,
      openBlock: open.hash,
      representativeBlock: open.hash,
      representative: rep.address,
      balance: 1000n,
      blockCount: 1n,
      accountVersion: 0,
      confirmationHeight: 1n,
    });

    const back = await state({ account: a, previous: open.hash, representative: rep.pub, balance: 600n, link: GENESIS.pub });
    ok(ledger, back);
    expect(ledger.weight(hex(rep.pub))).toBe(600n);
    const change = await state({ account: a, previous: back.hash, representative: GENESIS.pub, balance: 600n, link: ZERO });
    ok(ledger, change, { subtype: 'change' });
    expect(ledger.weight(hex(rep.pub))).toBe(0n);
    expect(ledger.representatives().map((r) => r.account)).toEqual([GENESIS.address]);
    expect(ledger.blockInfo(hex(change.hash))).toMatchObject({ subtype: 'change', amount: 0n });

    const recv = await state({ account: GENESIS, previous: send.hash, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 600n, link: back.hash });
    ok(ledger, recv, { subtype: 'receive' });
    expect(ledger.weight(hex(GENESIS.pub))).toBe(GENESIS_AMOUNT);
    expect(ledger.counts()).toEqual({ blocks: 6n, cemented: 6n, unchecked: 0n, accounts: 2n });
    expectSupplyConserved(ledger, [a]);

    expect(ledger.chain(hex(recv.hash), {})).toEqual([recv.hash, send.hash, DEV_GENESIS_HASH]);
    expect(ledger.chain(hex(DEV_GENESIS_HASH), { reverse: true, count: 2 })).toEqual([DEV_GENESIS_HASH, send.hash]);
    expect(ledger.history(hex(a.pub), {}).map((h) => [h.type, h.amount, h.account])).toEqual([
      ['send', 400n, GENESIS.address],
      ['receive', 1000n, GENESIS.address],
    ]);
    expect(ledger.history(hex(a.pub), { raw: true, reverse: true }).map((h) => h.type)).toEqual(['receive', 'send', 'change']);
    expect(
      ledger
        .delegators(hex(GENESIS.pub))
        .map((d) => d.weight)
        .sort(),
    ).toEqual([600n, GENESIS_AMOUNT - 600n].sort());
  });

  it('refusals: old, bad_signature, fork, gap_previous, gap_source, unreceivable, balance_mismatch', async () => {
    const { ledger } = await fresh();
    const a = newKey();
    const send = await genesisSend(ledger, a, 1000n);
    refused(ledger, send.block, 'old');

    const forged = await state({ account: a, previous: ZERO, representative: a.pub, balance: 1000n, link: send.hash, signer: newKey() });
    refused(ledger, forged.block, 'bad_signature');

    const fork = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: 5n, link: a.pub });
    refused(ledger, fork.block, 'fork');
    // force cannot roll back a cemented competitor (every block is cemented on apply).
    expect(ledger.process(fork.block, { force: true })).toEqual({ ok: false, code: 'fork' });
    const reopen = await state({ account: GENESIS, previous: ZERO, representative: GENESIS.pub, balance: 5n, link: send.hash });
    refused(ledger, reopen.block, 'fork');

    const gapPrev = await state({ account: a, previous: 'AB'.repeat(32), representative: a.pub, balance: 1n, link: ZERO });
    refused(ledger, gapPrev.block, 'gap_previous');
    const gapSource = await state({ account: a, previous: ZERO, representative: a.pub, balance: 1000n, link: 'CD'.repeat(32) });
    refused(ledger, gapSource.block, 'gap_source');
    const openNoLink = await state({ account: a, previous: ZERO, representative: a.pub, balance: 0n, link: ZERO });
    refused(ledger, openNoLink.block, 'gap_source');
    const wrongAmount = await state({ account: a, previous: ZERO, representative: a.pub, balance: 999n, link: send.hash });
    refused(ledger, wrongAmount.block, 'balance_mismatch');
    // A send that exists but was made to someone else is not receivable by `b`.
    const b = newKey();
    const notMine = await state({ account: b, previous: ZERO, representative: b.pub, balance: 1000n, link: send.hash });
    refused(ledger, notMine.block, 'unreceivable');

    const open = await state({ account: a, previous: ZERO, representative: a.pub, balance: 1000n, link: send.hash });
    ok(ledger, open);
    const again = await state({ account: a, previous: open.hash, representative: a.pub, balance: 2000n, link: send.hash });
    refused(ledger, again.block, 'unreceivable');
    const changeWithDelta = await state({ account: a, previous: open.hash, representative: a.pub, balance: 1001n, link: ZERO });
    refused(ledger, changeWithDelta.block, 'balance_mismatch');
  });

  it('work: below entry is work_low; entry but below epoch_1 is insufficient_work', async () => {
    const { ledger } = await fresh();
    const a = newKey();
    const fields = { account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: 1n, link: a.pub };
    const low = await state({ ...fields, workValue: workBetween(DEV_GENESIS_HASH, '0000000000000000', T.receive) });
    refused(ledger, low.block, 'work_low');
    const mid = await state({ ...fields, workValue: workBetween(DEV_GENESIS_HASH, T.receive, T.epoch1) });
    refused(ledger, mid.block, 'insufficient_work');
  });

  it('RPC subtype checks', async () => {
    const { ledger } = await fresh();
    const a = newKey();
    const send = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 10n, link: a.pub });
    refused(ledger, send.block, 'invalid_subtype_balance', { subtype: 'receive' });
    refused(ledger, send.block, 'invalid_subtype_balance', { subtype: 'change' });
    refused(ledger, send.block, 'invalid_subtype_balance', { subtype: 'epoch' });
    refused(ledger, send.block, 'invalid_subtype_previous', { subtype: 'open' });
    refused(ledger, send.block, 'invalid_subtype', { subtype: 'transfer' });
    ok(ledger, send, { subtype: 'send' });
    const open = await state({ account: a, previous: ZERO, representative: a.pub, balance: 10n, link: send.hash });
    refused(ledger, open.block, 'invalid_subtype_balance', { subtype: 'send' });
    ok(ledger, open, { subtype: 'open' });
    const change = await state({ account: a, previous: open.hash, representative: GENESIS.pub, balance: 10n, link: ZERO });
    refused(ledger, change.block, 'invalid_subtype_epoch_link', { subtype: 'epoch' });
    const gap = await state({ account: a, previous: 'EE'.repeat(32), representative: a.pub, balance: 10n, link: ZERO });
    refused(ledger, gap.block, 'gap_previous', { subtype: 'change' });
    const openAsChange = await state({ account: newKey(), previous: ZERO, representative: a.pub, balance: 0n, link: ZERO });
    refused(ledger, openAsChange.block, 'invalid_subtype_previous', { subtype: 'change' });
  });
});

describe('epochs', () => {
  it('upgrades v1 then v2, raises send work to epoch_2, lowers receive work, and refuses misuse', async () => {
    const { ledger } = await fresh();
    const a = newKey();
    const send = await genesisSend(ledger, a, 1000n);
    const open = await state({ account: a, previous: ZERO, representative: a.pub, balance: 1000n, link: send.hash });
    ok(ledger, open);

    const v2first = await state({ account: a.pub, previous: open.hash, representative: a.pub, balance: 1000n, link: EPOCH_V2_LINK, signer: GENESIS });
    refused(ledger, v2first.block, 'block_position');
    const selfSigned = await state({ account: a.pub, previous: open.hash, representative: a.pub, balance: 1000n, link: EPOCH_V1_LINK, signer: a });
    refused(ledger, selfSigned.block, 'bad_signature');
    const otherRep = await state({ account: a.pub, previous: open.hash, representative: GENESIS.pub, balance: 1000n, link: EPOCH_V1_LINK, signer: GENESIS });
    refused(ledger, otherRep.block, 'representative_mismatch');

    const v1 = await state({ account: a.pub, previous: open.hash, representative: a.pub, balance: 1000n, link: EPOCH_V1_LINK, signer: GENESIS });
    ok(ledger, v1, { subtype: 'epoch' });
    expect(ledger.accountInfo(hex(a.pub))).toMatchObject({ accountVersion: 1, representativeBlock: v1.hash, blockCount: 2n });
    expect(ledger.blockInfo(hex(v1.hash))).toMatchObject({ subtype: 'epoch', amount: 0n, epoch: 1 });
    const v2 = await state({
      account: a.pub,
      previous: v1.hash,
      representative: a.pub,
      balance: 1000n,
      link: EPOCH_V2_LINK,
      signer: GENESIS,
      threshold: T.receive,
    });
    ok(ledger, v2);
    expect(ledger.accountInfo(hex(a.pub))!.accountVersion).toBe(2);
    expect(ledger.weight(hex(a.pub))).toBe(1000n);

    const sendFields = { account: a, previous: v2.hash, representative: a.pub, balance: 900n, link: GENESIS.pub };
    const weak = await state({ ...sendFields, workValue: workBetween(v2.hash, T.epoch1, T.epoch2) });
    refused(ledger, weak.block, 'insufficient_work');
    const strong = await state({ ...sendFields, threshold: T.epoch2 });
    ok(ledger, strong);
    expect(ledger.receivable(hex(GENESIS.pub))).toEqual([{ hash: strong.hash, amount: 100n, source: a.address, epoch: 2 }]);

    // A legacy block cannot follow genesis's state head.
    refused(ledger, (await legacyReceive(GENESIS, send.hash, strong.hash)).block, 'block_position');
    const recv = await state({
      account: GENESIS,
      previous: send.hash,
      representative: GENESIS.pub,
      balance: GENESIS_AMOUNT - 900n,
      link: strong.hash,
      workValue: workBetween(send.hash, T.receive, T.epoch1),
    });
    // Receiving an epoch-2 send upgrades the receiver to epoch 2, where receives need only epoch_2_receive.
    ok(ledger, recv);
    expect(ledger.accountInfo(hex(GENESIS.pub))!.accountVersion).toBe(2);
    expect(ledger.blockInfo(hex(recv.hash))).toMatchObject({ epoch: 2, sourceEpoch: 2 });
  });

  it('epoch open of an unopened account needs receivables and a zero representative; burn account refused', async () => {
    const { ledger } = await fresh();
    const c = newKey();
    const early = await state({ account: c.pub, previous: ZERO, representative: ZERO, balance: 0n, link: EPOCH_V1_LINK, signer: GENESIS, threshold: T.epoch1 });
    refused(ledger, early.block, 'gap_epoch_open_pending');
    const send = await genesisSend(ledger, c, 50n);
    const repSet = await state({ account: c.pub, previous: ZERO, representative: c.pub, balance: 0n, link: EPOCH_V1_LINK, signer: GENESIS });
    refused(ledger, repSet.block, 'representative_mismatch');
    // Unopened accounts may jump straight to epoch 2.
    const open2 = await state({
      account: c.pub,
      previous: ZERO,
      representative: ZERO,
      balance: 0n,
      link: EPOCH_V2_LINK,
      signer: GENESIS,
      threshold: T.receive,
    });
    ok(ledger, open2);
    expect(ledger.counts().accounts).toBe(2n);
    expect(ledger.accountInfo(hex(c.pub))).toMatchObject({ accountVersion: 2, balance: 0n, blockCount: 1n });
    expect(ledger.representatives().length).toBe(1);
    const recv = await state({ account: c, previous: open2.hash, representative: c.pub, balance: 50n, link: send.hash, threshold: T.receive });
    ok(ledger, recv);
    expect(ledger.weight(hex(c.pub))).toBe(50n);

    const burnKey = { secret: '', pub: ZERO, address: '' };
    await genesisSend(ledger, burnKey, 7n, send.hash);
    const burn = await state({ account: ZERO, previous: ZERO, representative: ZERO, balance: 0n, link: EPOCH_V1_LINK, signer: GENESIS });
    refused(ledger, burn.block, 'opened_burn_account');
    expectSupplyConserved(ledger, [c, burnKey]);
  });
});

describe('legacy blocks', () => {
  it('send, open, receive, change; negative_spend, block_position, fork', async () => {
    const { ledger } = await fresh();
    const d = newKey();
    const send = await legacySend(GENESIS, DEV_GENESIS_HASH, d.pub, GENESIS_AMOUNT - 500n);
    ok(ledger, send);
    expect(ledger.blockInfo(hex(send.hash))).toMatchObject({ kind: 'send', subtype: undefined, amount: 500n });
    const send2 = await legacySend(GENESIS, send.hash, d.pub, GENESIS_AMOUNT - 700n);
    ok(ledger, send2);
    const overspend = await legacySend(GENESIS, send2.hash, d.pub, GENESIS_AMOUNT - 600n);
    refused(ledger, overspend.block, 'negative_spend');
    const fork = await legacySend(GENESIS, send.hash, d.pub, 1n);
    refused(ledger, fork.block, 'fork');

    const open = await legacyOpen(d, send.hash, GENESIS.pub);
    ok(ledger, open);
    refused(ledger, (await legacyOpen(d, send2.hash, GENESIS.pub)).block, 'fork');
    const recv = await legacyReceive(d, open.hash, send2.hash);
    ok(ledger, recv);
    expect(ledger.accountInfo(hex(d.pub))).toMatchObject({ balance: 700n, blockCount: 2n, representativeBlock: open.hash });
    const change = await legacyChange(d, recv.hash, d.pub);
    ok(ledger, change);
    expect(ledger.accountInfo(hex(d.pub))).toMatchObject({ representative: d.address, representativeBlock: change.hash });
    expect(ledger.weight(hex(d.pub))).toBe(700n);
    expect(ledger.weight(hex(GENESIS.pub))).toBe(GENESIS_AMOUNT - 700n);

    const stateOnD = await state({ account: d, previous: change.hash, representative: d.pub, balance: 600n, link: GENESIS.pub });
    ok(ledger, stateOnD);
    refused(ledger, (await legacyChange(d, stateOnD.hash, GENESIS.pub)).block, 'block_position');
    refused(ledger, (await legacyReceive(d, 'AA'.repeat(32), send.hash)).block, 'gap_previous');
    expectSupplyConserved(ledger, [d]);
  });

  it('a legacy receive cannot take a send made at epoch 1 (unreceivable); gap_source', async () => {
    const { ledger } = await fresh();
    const d = newKey();
    const send = await legacySend(GENESIS, DEV_GENESIS_HASH, d.pub, GENESIS_AMOUNT - 5n);
    ok(ledger, send);
    const open = await legacyOpen(d, send.hash, d.pub);
    ok(ledger, open);
    refused(ledger, (await legacyReceive(d, open.hash, 'BB'.repeat(32))).block, 'gap_source');
    const v1 = await state({ account: GENESIS, previous: send.hash, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 5n, link: EPOCH_V1_LINK });
    ok(ledger, v1);
    const send1 = await state({ account: GENESIS, previous: v1.hash, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 8n, link: d.pub });
    ok(ledger, send1);
    expect(ledger.receivable(hex(d.pub))[0]).toMatchObject({ hash: send1.hash, epoch: 1 });
    refused(ledger, (await legacyReceive(d, open.hash, send1.hash)).block, 'unreceivable');
    const stateRecv = await state({ account: d, previous: open.hash, representative: d.pub, balance: 8n, link: send1.hash });
    ok(ledger, stateRecv);
    expect(ledger.accountInfo(hex(d.pub))!.accountVersion).toBe(1);
  });
});

describe('persistence', () => {
  it('processed blocks, accounts and weights survive a reopen', async () => {
    const { ledger, path } = await fresh();
    const a = newKey();
    const send = await genesisSend(ledger, a, 42n);
    await ledger.close();
    cleanups.pop();
    const again = await openLedger({ path });
    cleanups.push(() => again.close());
    expect(again.counts()).toEqual({ blocks: 2n, cemented: 2n, unchecked: 0n, accounts: 1n });
    expect(again.accountInfo(hex(GENESIS.pub))!.frontier).toBe(send.hash);
    expect(again.accountBalance(hex(a.pub)).receivable).toBe(42n);
    refused(again, send.block, 'old');
  });
});

describe('batches', () => {
  it('later blocks see earlier ones; a refused block writes nothing; results in order', async () => {
    const { ledger } = await fresh();
    const a = newKey();
    const send = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 9n, link: a.pub });
    const wrong = await state({ account: a, previous: ZERO, representative: a.pub, balance: 8n, link: send.hash });
    const open = await state({ account: a, previous: ZERO, representative: a.pub, balance: 9n, link: send.hash });
    const results = ledger.processBatch([{ block: send.block }, { block: wrong.block }, { block: open.block }, { block: send.block }]);
    expect(results).toEqual([
      { ok: true, hash: send.hash },
      { ok: false, code: 'balance_mismatch' },
      { ok: true, hash: open.hash },
      { ok: false, code: 'old' },
    ]);
    expect(ledger.counts()).toEqual({ blocks: 3n, cemented: 3n, unchecked: 0n, accounts: 2n });
    expect(ledger.blockInfo(hex(wrong.hash))).toBeUndefined();
    expect(ledger.weight(hex(a.pub))).toBe(9n);
  });
});
