import { bytesToU128, u128ToBytes } from '../bytes.js';
import { encodeBlock } from '../blocks/binary.js';
import { encodeAccountInfo, encodeBlockRecord, encodePending, pendingKey, SUCCESSOR_OFFSET } from '../store/records.js';
import { addMeta } from '../store/store.js';
import type { Store } from '../store/store.js';
import type { Effect } from './effect.js';

/** Writes one block's effect. Must run inside the caller's write transaction (all or nothing). */
export function applyEffect(store: Store, effect: Effect): void {
  store.blocks.putSync(effect.hash, encodeBlockRecord(effect.sideband, encodeBlock(effect.block)));
  if (effect.previousInfo !== undefined) {
    const previousHash = effect.previousInfo.head;
    const stored = store.blocks.get(previousHash);
    if (stored === undefined) throw new Error('ledger inconsistency: head block missing');
    const patched = Buffer.from(stored);
    effect.hash.copy(patched, SUCCESSOR_OFFSET);
    store.blocks.putSync(previousHash, patched);
  } else {
    addMeta(store, 'accounts', 1n);
  }
  store.accounts.putSync(effect.account, encodeAccountInfo(effect.info));
  for (const [representative, delta] of effect.weightDeltas) {
    if (delta === 0n) continue;
    const current = store.weights.get(representative);
    const next = (current === undefined ? 0n : bytesToU128(current)) + delta;
    if (next < 0n) throw new Error('ledger inconsistency: negative weight');
    // Zero weights are removed so the table lists only representatives that hold weight.
    if (next === 0n) store.weights.removeSync(representative);
    else store.weights.putSync(representative, u128ToBytes(next));
  }
  if (effect.pendingPut !== undefined) {
    store.pending.putSync(
      pendingKey(effect.pendingPut.destination, effect.hash),
      encodePending(effect.pendingPut.entry),
    );
  }
  if (effect.pendingDelete !== undefined) {
    store.pending.removeSync(pendingKey(effect.pendingDelete.destination, effect.pendingDelete.sendHash));
  }
  addMeta(store, 'blocks', 1n);
  // Every block is final on apply (single-node dev ledger): cemented moves with the block count.
  addMeta(store, 'cemented', 1n);
}
