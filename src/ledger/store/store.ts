import * as lmdb from 'lmdb';
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { bytesToU128, u128ToBytes } from '../bytes.js';

/** The LMDB library lmdb-js was built with (its typings omit the `version` export). */
const LMDB_VERSION = (lmdb as unknown as { version?: { major: number; minor: number; patch: number } }).version;
export const STORE_VENDOR = LMDB_VERSION ? `LMDB ${LMDB_VERSION.major}.${LMDB_VERSION.minor}.${LMDB_VERSION.patch}` : 'LMDB';

export type BinaryDb = Database<Buffer, Buffer>;

/** The LMDB environment and its named tables. All keys and values are raw bytes. */
export interface Store {
  readonly root: RootDatabase<Buffer, Buffer>;
  /** block hash → sideband ‖ block */
  readonly blocks: BinaryDb;
  /** account public key → account info */
  readonly accounts: BinaryDb;
  /** destination ‖ send hash → source account, amount, epoch */
  readonly pending: BinaryDb;
  /** representative public key → weight (u128 BE); absent = 0 */
  readonly weights: BinaryDb;
  /** destination → sum of its pending amounts (u128 BE); absent = 0. Kept so a balance is two reads, not a range scan. */
  readonly receivableTotals: BinaryDb;
  /** ASCII name → u64 BE counter */
  readonly meta: BinaryDb;
}

const TABLE = { encoding: 'binary', keyEncoding: 'binary' } as const;

export function openStore(path: string): Store {
  // No event-turn batching: every write here is a transaction (sync, or `childTransaction`, which lmdb-js
  // groups itself), and the batch it would add has a commit promise nobody can await: when a commit
  // fails (full disk) that promise's rejection went unhandled and ended the process.
  const root = open<Buffer, Buffer>({ path, maxDbs: 8, eventTurnBatching: false, ...TABLE });
  return {
    root,
    blocks: root.openDB<Buffer, Buffer>('blocks', TABLE),
    accounts: root.openDB<Buffer, Buffer>('accounts', TABLE),
    pending: root.openDB<Buffer, Buffer>('pending', TABLE),
    weights: root.openDB<Buffer, Buffer>('weights', TABLE),
    receivableTotals: root.openDB<Buffer, Buffer>('receivable_totals', TABLE),
    meta: root.openDB<Buffer, Buffer>('meta', TABLE),
  };
}

export type MetaKey = 'schema' | 'blocks' | 'cemented' | 'accounts' | 'unchecked';

const metaKeys = new Map<MetaKey, Buffer>();
function metaKey(name: MetaKey): Buffer {
  let key = metaKeys.get(name);
  if (key === undefined) {
    key = Buffer.from(name, 'ascii');
    metaKeys.set(name, key);
  }
  return key;
}

export function readMeta(store: Store, name: MetaKey): bigint | undefined {
  const value = store.meta.get(metaKey(name));
  return value === undefined ? undefined : Buffer.from(value).readBigUInt64BE(0);
}

export function writeMeta(store: Store, name: MetaKey, value: bigint): void {
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(value, 0);
  store.meta.putSync(metaKey(name), out);
}

/** Must run inside a write transaction. */
export function addMeta(store: Store, name: MetaKey, delta: bigint): void {
  writeMeta(store, name, (readMeta(store, name) ?? 0n) + delta);
}

/** Adds `delta` to a u128 total kept under `key`; a total of zero is removed (absent = 0). */
export function addToTotal(table: BinaryDb, key: Buffer, delta: bigint, what: string): void {
  const current = table.get(key);
  const next = (current === undefined ? 0n : bytesToU128(current)) + delta;
  if (next < 0n) throw new Error(`ledger inconsistency: negative ${what}`);
  if (next === 0n) table.removeSync(key);
  else table.putSync(key, u128ToBytes(next));
}
