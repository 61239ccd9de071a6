import { hashBlock } from './blocks/hash.js';
import { encodeBlock } from './blocks/binary.js';
import { toHex, ZERO32, u128ToBytes } from './bytes.js';
import { DEV_GENESIS_BLOCK, GENESIS_AMOUNT } from './genesis.js';
import { decodePending, encodeAccountInfo, encodeBlockRecord, SCHEMA_VERSION } from './store/records.js';
import { addToTotal, openStore, readMeta, STORE_VENDOR, writeMeta } from './store/store.js';
import type { Store } from './store/store.js';
import { prepareLedgerFolder } from './store/files.js';
import { createProcessor, LedgerWriteError } from './process/processor.js';
import type { Processor } from './process/processor.js';
import { createQueries } from './query/queries.js';
import type { Queries } from './query/queries.js';

export interface LedgerCounts {
  readonly blocks: bigint;
  readonly cemented: bigint;
  readonly unchecked: bigint;
  readonly accounts: bigint;
}

export interface Ledger extends Queries, Processor {
  readonly network: 'dev';
  /** 64 upper-case hex digits. */
  readonly genesisHash: string;
  /** Schema version of the store, for the `version` action's store_version. */
  readonly storeVersion: string;
  /** The storage engine, e.g. "LMDB 0.9.90", for store_vendor. */
  readonly storeVendor: string;
  counts(): LedgerCounts;
  close(): Promise<void>;
}

export interface OpenLedgerOptions {
  readonly path: string;
  readonly network?: 'dev';
  /** Seconds since the Unix epoch, for block and account timestamps (injectable for tests). */
  readonly clock?: () => bigint;
  /**
   * Told once when writes start failing (full disk, I/O error; with the engine's reason) and once when
   * a write succeeds again, so the cause is logged once, not per refused block.
   */
  readonly onWriteHealth?: (event: { readonly failing: true; readonly reason: string } | { readonly failing: false }) => void;
}

export class LedgerSchemaError extends Error {
  readonly code = 'schema_mismatch';
}

function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

/** Writes the genesis block, its account, its weight and the counters, in one transaction. */
function initialise(store: Store, now: bigint): void {
  const genesis = DEV_GENESIS_BLOCK;
  const hash = hashBlock(genesis);
  store.root.transactionSync(() => {
    // Re-checked inside the write transaction: another process may have initialised meanwhile.
    if (readMeta(store, 'schema') !== undefined) return;
    store.blocks.putSync(
      hash,
      encodeBlockRecord(
        {
          account: genesis.account,
          height: 1n,
          balance: GENESIS_AMOUNT,
          successor: ZERO32,
          timestamp: now,
          epoch: 0,
          subtype: 'open',
          sourceEpoch: 0,
          amount: GENESIS_AMOUNT,
          linkedAccount: genesis.account,
        },
        encodeBlock(genesis),
      ),
    );
    store.accounts.putSync(
      genesis.account,
      encodeAccountInfo({
        head: hash,
        openBlock: hash,
        representativeBlock: hash,
        representative: genesis.representative,
        balance: GENESIS_AMOUNT,
        blockCount: 1n,
        epoch: 0,
        modified: now,
      }),
    );
    store.weights.putSync(genesis.representative, u128ToBytes(GENESIS_AMOUNT));
    writeMeta(store, 'blocks', 1n);
    writeMeta(store, 'cemented', 1n);
    writeMeta(store, 'accounts', 1n);
    writeMeta(store, 'unchecked', 0n);
    writeMeta(store, 'schema', SCHEMA_VERSION);
  });
}

/** Schema 2 adds the per-account receivable totals; they are summed from the pending table once. */
function migrateFromSchema1(store: Store): void {
  store.root.transactionSync(() => {
    // Re-checked inside the write transaction: another process may have migrated meanwhile.
    if (readMeta(store, 'schema') !== 1n) return;
    for (const { key, value } of store.pending.getRange({})) {
      addToTotal(store.receivableTotals, Buffer.from(key).subarray(0, 32), decodePending(value).amount, 'receivable total');
    }
    writeMeta(store, 'schema', SCHEMA_VERSION);
  });
}

export async function openLedger(opts: OpenLedgerOptions): Promise<Ledger> {
  const network = opts.network ?? 'dev';
  const clock = opts.clock ?? nowSeconds;
  await prepareLedgerFolder(opts.path);
  const store = openStore(opts.path);
  try {
    const schema = readMeta(store, 'schema');
    if (schema === undefined) initialise(store, clock());
    else if (schema === 1n) migrateFromSchema1(store);
    else if (schema !== SCHEMA_VERSION) {
      throw new LedgerSchemaError(`ledger schema ${schema} is not the supported ${SCHEMA_VERSION}`);
    }
  } catch (err) {
    await store.root.close();
    throw err;
  }
  const genesisHash = toHex(hashBlock(DEV_GENESIS_BLOCK));
  const processor = createProcessor(store, clock);
  let writesFailing = false;
  const processAsync: Processor['processAsync'] = async (block, input) => {
    try {
      const result = await processor.processAsync(block, input);
      if (writesFailing && result.ok) {
        writesFailing = false;
        opts.onWriteHealth?.({ failing: false });
      }
      return result;
    } catch (error) {
      if (error instanceof LedgerWriteError && !writesFailing) {
        writesFailing = true;
        opts.onWriteHealth?.({ failing: true, reason: error.reason });
      }
      throw error;
    }
  };
  return {
    network,
    genesisHash,
    storeVersion: SCHEMA_VERSION.toString(),
    storeVendor: STORE_VENDOR,
    counts: () => ({
      blocks: readMeta(store, 'blocks') ?? 0n,
      cemented: readMeta(store, 'cemented') ?? 0n,
      unchecked: readMeta(store, 'unchecked') ?? 0n,
      accounts: readMeta(store, 'accounts') ?? 0n,
    }),
    process: processor.process,
    processBatch: processor.processBatch,
    processAsync,
    precheck: processor.precheck,
    onApplied: processor.onApplied,
    ...createQueries(store),
    close: () => store.root.close(),
  };
}

export type { Processor, ProcessInput, BatchItem, AppliedBlock, AppliedListener } from './process/processor.js';
export { LedgerWriteError } from './process/processor.js';
export type { ProcessCode, ProcessResult, LedgerRefusal, PreLedgerRefusal } from './process/codes.js';
export type { Queries, PageOptions, ReceivableOptions, HistoryOptions } from './query/queries.js';
export type * from './query/types.js';
export type { Block, BlockType, BlockSubtype, Epoch } from './blocks/types.js';
