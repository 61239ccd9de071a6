import { isZero } from '../ledger/bytes.js';
import { DEV_WORK_THRESHOLDS, workThreshold } from '../ledger/crypto/work.js';
import type { Block, Epoch, Ledger } from '../ledger/ledger.js';

/**
 * The node's `difficulty_ledger` (json_handler.cpp): the threshold a block will need, read from
 * the ledger. A previous block found gives its epoch and whether this is a send; a block that is
 * not a send, with a link that is a receivable of its account, is a receive at the higher epoch of
 * the two; when neither is known, the base difficulty. Legacy blocks need epoch_1.
 */
export function difficultyFromLedger(ledger: Ledger, block: Block): bigint {
  if (block.type !== 'state') return DEV_WORK_THRESHOLDS.epoch1;
  let epoch: Epoch = 0;
  let found = false;
  let isSend = false;
  let isReceive = false;
  if (!isZero(block.previous)) {
    const previous = ledger.blockInfo(block.previous);
    if (previous !== undefined) {
      found = true;
      epoch = previous.epoch;
      isSend = previous.balance > block.balance;
    }
  }
  if (!isSend && !isZero(block.link)) {
    const pending = ledger.pendingEntry(block.account, block.link);
    if (pending !== undefined) {
      found = true;
      isReceive = true;
      if (pending.epoch > epoch) epoch = pending.epoch;
    }
  }
  return found ? workThreshold(epoch, isReceive, false) : DEV_WORK_THRESHOLDS.base;
}
