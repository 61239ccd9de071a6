import type { AnyActionSpec } from '../action.js';

/** The block actions of the table (see action-table.ts); one entry per action name, aliases included. */
export const BLOCK_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {};
