import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from 'lmdb';
import { openLedger } from '../../src/ledger/ledger.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { tempDir } from '../support/temp.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, ZERO, newKey, state } from './builder.js';
import type { Built, Key } from './builder.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

// One ledger: genesis sends 100, 300, 200 to `a`; `a` receives the first two (rep `r`) and changes to genesis.
describe('queries', () => {
  let ledger: Ledger;
  let remove: () => Promise<void>;
  const a = newKey();
  const r = newKey();
  const sends: Built[] = [];
  let open: Built;
  let recv: Built;
  let change: Built;
  const toR: { hash: string; amount: bigint }[] = [];
  let genesisFrontier = '';

  beforeAll(async () => {
    const dir = await tempDir();
    remove = dir.remove;
    ledger = await openLedger({ path: dir.path });
    let previous = DEV_GENESIS_HASH;
    let balance = GENESIS_AMOUNT;
    for (const amount of [100n, 300n, 200n]) {
      balance -= amount;
      const s = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance, link: a.pub });
      expect(ledger.process(s.block).ok).toBe(true);
      sends.push(s);
      previous = s.hash;
    }
    open = await state({ account: a, previous: ZERO, representative: r.pub, balance: 100n, link: sends[0]!.hash });
    recv = await state({ account: a, previous: open.hash, representative: r.pub, balance: 400n, link: sends[1]!.hash });
    change = await state({ account: a, previous: recv.hash, representative: GENESIS.pub, balance: 400n, link: ZERO });
    for (const b of [open, recv, change]) expect(ledger.process(b.block).ok).toBe(true);
    for (const amount of [5n, 50n, 7n]) {
      balance -= amount;
      const s = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance, link: r.pub });
      expect(ledger.process(s.block).ok).toBe(true);
      toR.push({ hash: s.hash, amount });
      previous = s.hash;
    }
    genesisFrontier = previous;
  });
  afterAll(async () => {
    await ledger.close();
    await remove();
  });

  it('accountInfo / accountBalance, including unknown accounts', () => {
    expect(ledger.accountInfo(hex(a.pub))).toMatchObject({
      frontier: change.hash,
      openBlock: open.hash,
      representativeBlock: change.hash,
      representative: GENESIS.address,
      balance: 400n,
      blockCount: 3n,
      confirmationHeight: 3n,
      confirmationHeightFrontier: change.hash,
    });
    expect(ledger.accountBalance(hex(a.pub))).toEqual({ balance: 400n, receivable: 200n });
    const stranger: Key = newKey();
    expect(ledger.accountInfo(hex(stranger.pub))).toBeUndefined();
    expect(ledger.accountBalance(hex(stranger.pub))).toEqual({ balance: 0n, receivable: 0n });
    expect(ledger.blockInfo(hex('00'.repeat(32)))).toBeUndefined();
  });

  it('receivable with threshold, sorting and paging', () => {
    expect(ledger.receivable(hex(a.pub)).map((e) => e.hash)).toEqual([sends[2]!.hash]);
    expect(ledger.receivable(hex(a.pub), { threshold: 201n })).toEqual([]);
    expect(ledger.receivable(hex(GENESIS.pub))).toEqual([]);
    const byKey = [...toR].sort((x, y) => x.hash.localeCompare(y.hash));
    expect(ledger.receivable(hex(r.pub)).map((e) => e.hash)).toEqual(byKey.map((e) => e.hash));
    expect(ledger.receivable(hex(r.pub), { sortByAmount: true }).map((e) => e.amount)).toEqual([50n, 7n, 5n]);
    expect(ledger.receivable(hex(r.pub), { sortByAmount: true, count: 1, offset: 1 }).map((e) => e.amount)).toEqual([7n]);
    expect(
      ledger
        .receivable(hex(r.pub), { threshold: 7n })
        .map((e) => e.amount)
        .sort(),
    ).toEqual([50n, 7n].sort());
    expect(ledger.receivable(hex(r.pub))[0]).toMatchObject({ source: GENESIS.address, epoch: 0 });
    expect(ledger.accountBalance(hex(r.pub))).toEqual({ balance: 0n, receivable: 62n });
  });

  it('chain / successors with count, offset and reverse', () => {
    const genesisChain = [sends[2]!.hash, sends[1]!.hash, sends[0]!.hash, DEV_GENESIS_HASH];
    expect(ledger.chain(hex(sends[2]!.hash), {})).toEqual(genesisChain);
    expect(ledger.chain(hex(sends[2]!.hash), { count: 2, offset: 1 })).toEqual(genesisChain.slice(1, 3));
    expect(ledger.chain(hex(DEV_GENESIS_HASH), { reverse: true })).toEqual([...[...genesisChain].reverse(), ...toR.map((e) => e.hash)]);
    expect(ledger.chain(hex(DEV_GENESIS_HASH), { reverse: true, count: 4 })).toEqual([...genesisChain].reverse());
    expect(ledger.chain(hex('11'.repeat(32)), {})).toEqual([]);
    expect(ledger.chain(hex(DEV_GENESIS_HASH), { count: 0 })).toEqual([]);
  });

  it('history: non-raw skips change, raw shows it, paging, head, reverse', () => {
    expect(ledger.history(hex(a.pub), {}).map((h) => [h.type, h.amount, h.height])).toEqual([
      ['receive', 300n, 2n],
      ['receive', 100n, 1n],
    ]);
    expect(ledger.history(hex(a.pub), { raw: true }).map((h) => h.type)).toEqual(['change', 'receive', 'receive']);
    expect(ledger.history(hex(a.pub), { raw: true, count: 1, offset: 1 }).map((h) => h.hash)).toEqual([recv.hash]);
    expect(ledger.history(hex(a.pub), { head: hex(recv.hash) }).map((h) => h.hash)).toEqual([recv.hash, open.hash]);
    expect(ledger.history(hex(a.pub), { reverse: true, raw: true }).map((h) => h.hash)).toEqual([open.hash, recv.hash, change.hash]);
    const genesisHistory = ledger.history(hex(GENESIS.pub), {});
    expect(genesisHistory.at(-1)).toMatchObject({ hash: DEV_GENESIS_HASH, type: 'receive', account: GENESIS.address, amount: GENESIS_AMOUNT, previous: ZERO });
    expect(genesisHistory[0]).toMatchObject({ type: 'send', account: r.address, amount: 7n, successor: ZERO });
  });

  it('frontiers in key order from a start key, representatives, delegators, weights', () => {
    const all = ledger.frontiers(Buffer.alloc(32), 10);
    const expected = [
      { account: GENESIS.address, hash: genesisFrontier, key: GENESIS.pub },
      { account: a.address, hash: change.hash, key: a.pub },
    ].sort((x, y) => x.key.localeCompare(y.key));
    expect(all).toEqual(expected.map(({ account, hash }) => ({ account, hash })));
    expect(ledger.frontiers(hex(expected[1]!.key), 10)).toEqual([{ account: expected[1]!.account, hash: expected[1]!.hash }]);
    expect(ledger.frontiers(Buffer.alloc(32), 1)).toHaveLength(1);
    expect(ledger.representatives()).toEqual([{ account: GENESIS.address, weight: GENESIS_AMOUNT - 262n }]);
    expect(ledger.weight(hex(r.pub))).toBe(0n);
    expect(
      ledger
        .delegators(hex(GENESIS.pub))
        .map((d) => d.weight)
        .sort(),
    ).toEqual([400n, GENESIS_AMOUNT - 662n].sort());
    expect(ledger.delegators(hex(r.pub))).toEqual([]);
  });
});

describe('atomicity', () => {
  it('a failure while writing a block leaves no part of it (transaction rolled back)', async () => {
    const dir = await tempDir();
    const path = dir.path;
    let ledger = await openLedger({ path });
    await ledger.close();
    // Corrupt the weights so the apply step throws after the block, successor and account were written.
    const root = open({ path, maxDbs: 8, encoding: 'binary', keyEncoding: 'binary' });
    root.openDB('weights', { encoding: 'binary', keyEncoding: 'binary' }).removeSync(hex(GENESIS.pub));
    await root.close();
    ledger = await openLedger({ path });
    try {
      const a = newKey();
      const send = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 1n, link: a.pub });
      expect(() => ledger.process(send.block)).toThrow(/negative weight/);
      expect(ledger.counts()).toEqual({ blocks: 1n, cemented: 1n, unchecked: 0n, accounts: 1n });
      expect(ledger.blockInfo(hex(send.hash))).toBeUndefined();
      expect(ledger.blockInfo(hex(DEV_GENESIS_HASH))!.successor).toBe(ZERO);
      expect(ledger.accountInfo(hex(GENESIS.pub))!.frontier).toBe(DEV_GENESIS_HASH);
      expect(ledger.receivable(hex(a.pub))).toEqual([]);
    } finally {
      await ledger.close();
      await dir.remove();
    }
  });
});
