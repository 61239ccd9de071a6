import { encodeBlock } from '../blocks/binary.js';
import { decodePending, encodeAccountInfo, encodeBlockRecord, encodePending, pendingKey, SUCCESSOR_OFFSET } from '../store/records.js';
import { addMeta, addToTotal } from '../store/store.js';
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
  // Zero weights are removed so the table lists only representatives that hold weight.
  for (const [representative, delta] of effect.weightDeltas) {
    if (delta !== 0n) addToTotal(store.weights, representative, delta, 'weight');
  }
  if (effect.pendingPut !== undefined) {
    const { destination, entry } = effect.pendingPut;
    store.pending.putSync(pendingKey(destination, effect.hash), encodePending(entry));
    addToTotal(store.receivableTotals, destination, entry.amount, 'receivable total');
  }
  if (effect.pendingDelete !== undefined) {
    const key = pendingKey(effect.pendingDelete.destination, effect.pendingDelete.sendHash);
    const stored = store.pending.get(key);
    if (stored === undefined) throw new Error('ledger inconsistency: received entry missing');
    store.pending.removeSync(key);
    addToTotal(store.receivableTotals, effect.pendingDelete.destination, -decodePending(stored).amount, 'receivable total');
  }
  addMeta(store, 'blocks', 1n);
  // Every block is final on apply (single-node dev ledger): cemented moves with the block count.
  addMeta(store, 'cemented', 1n);
}
