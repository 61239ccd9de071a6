import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLedger, type AppliedBlock, type Ledger } from '../../src/ledger/ledger.js';
import { tempDir } from '../support/temp.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, type Built } from './builder.js';

// The ledger's onApplied seam: one call per applied block, after it is durable, in apply order;
// refused blocks are not announced.

let dir: { path: string; remove: () => Promise<void> };
let ledger: Ledger;
const chain: Built[] = [];

beforeAll(async () => {
  dir = await tempDir();
  ledger = await openLedger({ path: dir.path });
  const to = newKey();
  let previous = DEV_GENESIS_HASH;
  for (let i = 1n; i <= 12n; i++) {
    const built = await state({ account: GENESIS, previous, representative: GENESIS.pub, balance: GENESIS_AMOUNT - i, link: to.pub });
    chain.push(built);
    previous = built.hash;
  }
});

afterAll(async () => {
  await ledger?.close();
  await dir?.remove();
});

describe('ledger.onApplied', () => {
  it('announces concurrent processAsync blocks in apply order, skips refusals, and stops when unsubscribed', async () => {
    const seen: AppliedBlock[] = [];
    const unsubscribe = ledger.onApplied((applied) => seen.push(applied));
    const first = chain.slice(0, 8);
    // Concurrent: they share group commits; one repeat (an `Old block`) is refused in between.
    const results = await Promise.all([...first.slice(0, 4), first[1]!, ...first.slice(4)].map((built) => ledger.processAsync(built.block)));
    expect(results.filter((result) => !result.ok)).toHaveLength(1);
    expect(seen.map((applied) => applied.hash)).toEqual(first.map((built) => built.hash));
    ledger.process(chain[8]!.block);
    ledger.processBatch([{ block: chain[9]!.block }, { block: chain[10]!.block }]);
    expect(seen.map((applied) => applied.hash)).toEqual(chain.slice(0, 11).map((built) => built.hash));
    unsubscribe();
    await ledger.processAsync(chain[11]!.block);
    expect(seen).toHaveLength(11);
  });
});
