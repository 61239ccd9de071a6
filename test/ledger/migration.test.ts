import { afterEach, describe, expect, it } from 'vitest';
import { checkLedgerConsistency } from '../../src/ledger/consistency.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { openStore, writeMeta } from '../../src/ledger/store/store.js';
import { tempDir } from '../support/temp.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state } from './builder.js';

let dir: { path: string; remove: () => Promise<void> } | undefined;
afterEach(async () => {
  await dir?.remove();
});

describe('schema 1 → 2 (per-account receivable totals)', () => {
  it('sums the pending table into the totals when an older store is opened', async () => {
    dir = await tempDir();
    const receiver = newKey();
    const first = await state({
      account: GENESIS,
      previous: DEV_GENESIS_HASH,
      representative: GENESIS.pub,
      balance: GENESIS_AMOUNT - 300n,
      link: receiver.pub,
    });
    const second = await state({ account: GENESIS, previous: first.hash, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 1000n, link: receiver.pub });
    const ledger = await openLedger({ path: dir.path });
    expect(ledger.processBatch([{ block: first.block }, { block: second.block }]).every((result) => result.ok)).toBe(true);
    await ledger.close();

    // Make it a schema-1 store: the totals table did not exist then.
    const store = openStore(dir.path);
    store.root.transactionSync(() => {
      store.receivableTotals.clearSync();
      writeMeta(store, 'schema', 1n);
    });
    await store.root.close();

    const reopened = await openLedger({ path: dir.path });
    try {
      expect(reopened.storeVersion).toBe('2');
      expect(reopened.accountBalance(Buffer.from(receiver.pub, 'hex'))).toEqual({ balance: 0n, receivable: 1000n });
      expect(checkLedgerConsistency(reopened).problems).toEqual([]);
    } finally {
      await reopened.close();
    }
  });
});
