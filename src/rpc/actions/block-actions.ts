import type { AnyActionSpec } from '../action.js';
import { block_account, block_hash, block_info, blocks, blocks_info, chain, successors, unchecked } from './blocks.js';
import { processAction } from './process.js';
import { work_validate } from './work.js';

/** The block actions of the table (see action-table.ts); one entry per action name, aliases included. */
export const BLOCK_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {
  process: processAction,
  block_info,
  block: block_info,
  blocks,
  blocks_info,
  block_account,
  block_hash,
  chain,
  successors,
  work_validate,
  unchecked,
};
