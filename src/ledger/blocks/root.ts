import type { Block } from './types.js';

/** Work root: `previous`, or the account for a first block (state with zero previous, legacy open). */
export function workRoot(block: Block): Buffer {
  switch (block.type) {
    case 'open':
      return block.account;
    case 'state':
      return block.previous.every((b) => b === 0) ? block.account : block.previous;
    default:
      return block.previous;
  }
}
