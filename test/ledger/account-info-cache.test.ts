import { afterEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../src/ledger/ledger.js';
import { tempDir } from '../support/temp.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state } from './builder.js';

let dir: { path: string; remove: () => Promise<void> } | undefined;
afterEach(async () => {
  await dir?.remove();
});

describe('accountInfo and accountBalance reuse', () => {
  it('returns the same answer while the account is unchanged, and a new one after its next block', async () => {
    dir = await tempDir();
    const ledger = await openLedger({ path: dir.path });
    try {
      const genesis = Buffer.from(GENESIS.pub, 'hex');
      const receiver = newKey();
      const receiverKey = Buffer.from(receiver.pub, 'hex');
      const before = ledger.accountInfo(genesis);
      expect(ledger.accountInfo(genesis)).toBe(before);
      const nothingYet = ledger.accountBalance(receiverKey);
      expect(ledger.accountBalance(receiverKey)).toBe(nothingYet);

      const send = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 5n, link: receiver.pub });
      expect(ledger.process(send.block)).toEqual({ ok: true, hash: send.hash });
      const after = ledger.accountInfo(genesis);
      expect(after).not.toBe(before);
      expect(after).toMatchObject({ frontier: send.hash, balance: GENESIS_AMOUNT - 5n, blockCount: 2n });
      expect(before).toMatchObject({ frontier: DEV_GENESIS_HASH, balance: GENESIS_AMOUNT, blockCount: 1n });
      // The receiver's account record didn't change (it has none), its receivable total did.
      expect(nothingYet).toEqual({ balance: 0n, receivable: 0n });
      expect(ledger.accountBalance(receiverKey)).toEqual({ balance: 0n, receivable: 5n });
      expect(ledger.accountBalance(genesis)).toEqual({ balance: GENESIS_AMOUNT - 5n, receivable: 0n });
    } finally {
      await ledger.close();
    }
  });
});
