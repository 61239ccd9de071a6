import { decodeBlock } from '../blocks/binary.js';
import type { Block } from '../blocks/types.js';
import { decodeAccountInfo, decodePending, decodeSideband, pendingKey, SIDEBAND_SIZE } from './records.js';
import type { AccountInfo, PendingInfo, Sideband } from './records.js';
import type { Store } from './store.js';
import { bytesToU128 } from '../bytes.js';

export interface StoredBlock {
  readonly block: Block;
  readonly sideband: Sideband;
}

/** Typed reads over the store; used both inside write transactions and for queries. */
export interface LedgerView {
  block(hash: Buffer): StoredBlock | undefined;
  blockExists(hash: Buffer): boolean;
  account(publicKey: Buffer): AccountInfo | undefined;
  pending(destination: Buffer, sendHash: Buffer): PendingInfo | undefined;
  /** Whether any receivable entry exists for `account` (gap_epoch_open_pending). */
  hasReceivable(account: Buffer): boolean;
  weight(representative: Buffer): bigint;
}

export function decodeStoredBlock(value: Uint8Array): StoredBlock {
  const buf = Buffer.from(value);
  return { sideband: decodeSideband(buf.subarray(0, SIDEBAND_SIZE)), block: decodeBlock(buf.subarray(SIDEBAND_SIZE)) };
}

export function storeView(store: Store): LedgerView {
  return {
    block(hash) {
      const value = store.blocks.get(hash);
      return value === undefined ? undefined : decodeStoredBlock(value);
    },
    blockExists: (hash) => store.blocks.doesExist(hash),
    account(publicKey) {
      const value = store.accounts.get(publicKey);
      return value === undefined ? undefined : decodeAccountInfo(value);
    },
    pending(destination, sendHash) {
      const value = store.pending.get(pendingKey(destination, sendHash));
      return value === undefined ? undefined : decodePending(value);
    },
    hasReceivable(account) {
      const end = Buffer.concat([account, Buffer.alloc(32, 0xff)]);
      for (const key of store.pending.getKeys({ start: account, end, inclusiveEnd: true, limit: 1 })) {
        if (Buffer.from(key).subarray(0, 32).equals(account)) return true;
      }
      return false;
    },
    weight(representative) {
      const value = store.weights.get(representative);
      return value === undefined ? 0n : bytesToU128(value);
    },
  };
}
