import { isZero } from '../bytes.js';
import type { StateBlock } from '../blocks/types.js';
import type { LedgerView } from '../store/view.js';
import type { ProcessCode } from './codes.js';
import { epochOfLink } from './epochs.js';

/**
 * The RPC `process` subtype check (nano/node/json_handler.cpp), made before the ledger: it compares the
 * block's balance with the account's current balance. Undefined when the block passes.
 */
export function checkSubtype(view: LedgerView, block: StateBlock, subtype: string): ProcessCode | undefined {
  if (!isZero(block.previous) && !view.blockExists(block.previous)) return 'gap_previous';
  const balance = view.account(block.account)?.balance ?? 0n;
  switch (subtype) {
    case 'send':
      return balance <= block.balance ? 'invalid_subtype_balance' : undefined;
    case 'receive':
      return balance > block.balance ? 'invalid_subtype_balance' : undefined;
    case 'open':
      return isZero(block.previous) ? undefined : 'invalid_subtype_previous';
    case 'change':
      if (balance !== block.balance) return 'invalid_subtype_balance';
      return isZero(block.previous) ? 'invalid_subtype_previous' : undefined;
    case 'epoch':
      if (balance !== block.balance) return 'invalid_subtype_balance';
      return epochOfLink(block.link) === undefined ? 'invalid_subtype_epoch_link' : undefined;
    default:
      return 'invalid_subtype';
  }
}
