import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { open } from 'lmdb';
import { openLedger } from '../../src/ledger/ledger.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { tempDir } from '../support/temp.js';

const DEV_GENESIS_HASH = '04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9';

describe('ledger store and genesis', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function fresh(): Promise<{ path: string; ledger: Ledger }> {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const path = join(dir.path, 'ledger'); // not yet existing: openLedger must create it
    const ledger = await openLedger({ path });
    cleanups.push(() => ledger.close());
    return { path, ledger };
  }

  it('creates the dev genesis on first open', async () => {
    const { ledger } = await fresh();
    expect(ledger.network).toBe('dev');
    expect(ledger.genesisHash).toBe(DEV_GENESIS_HASH);
    expect(ledger.counts()).toEqual({ blocks: 1n, cemented: 1n, unchecked: 0n, accounts: 1n });
  });

  it('stores exactly one block, one account and one weight (counts come from the store)', async () => {
    const { path, ledger } = await fresh();
    await ledger.close();
    cleanups.pop();
    const root = open({ path, maxDbs: 8, encoding: 'binary', keyEncoding: 'binary', readOnly: true });
    try {
      const blocks = root.openDB('blocks', { encoding: 'binary', keyEncoding: 'binary' });
      const accounts = root.openDB('accounts', { encoding: 'binary', keyEncoding: 'binary' });
      const weights = root.openDB('weights', { encoding: 'binary', keyEncoding: 'binary' });
      const keys = [...blocks.getKeys()].map((k) =>
        Buffer.from(k as Buffer)
          .toString('hex')
          .toUpperCase(),
      );
      expect(keys).toEqual([DEV_GENESIS_HASH]);
      expect(accounts.getCount()).toBe(1);
      expect(weights.getCount()).toBe(1);
    } finally {
      await root.close();
    }
  });

  it('reopening keeps the existing store and re-creates nothing', async () => {
    const { path, ledger } = await fresh();
    await ledger.close();
    cleanups.pop();
    // Tamper with a counter: a reopen that re-initialised would reset it to 1.
    const root = open({ path, maxDbs: 8, encoding: 'binary', keyEncoding: 'binary' });
    const meta = root.openDB('meta', { encoding: 'binary', keyEncoding: 'binary' });
    const seven = Buffer.alloc(8);
    seven.writeBigUInt64BE(7n);
    meta.putSync(Buffer.from('accounts'), seven);
    await root.close();

    const again = await openLedger({ path });
    cleanups.push(() => again.close());
    expect(again.genesisHash).toBe(DEV_GENESIS_HASH);
    expect(again.counts()).toEqual({ blocks: 1n, cemented: 1n, unchecked: 0n, accounts: 7n });
  });

  it('refuses a store with another schema version', async () => {
    const { path, ledger } = await fresh();
    await ledger.close();
    cleanups.pop();
    const root = open({ path, maxDbs: 8, encoding: 'binary', keyEncoding: 'binary' });
    const meta = root.openDB('meta', { encoding: 'binary', keyEncoding: 'binary' });
    meta.putSync(Buffer.from('schema'), Buffer.alloc(8, 0xff));
    await root.close();
    await expect(openLedger({ path })).rejects.toMatchObject({ code: 'schema_mismatch' });
  });
});
