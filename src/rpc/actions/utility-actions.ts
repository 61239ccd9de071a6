import type { AnyActionSpec } from '../action.js';

/** The utility actions of the table (see action-table.ts); one entry per action name, aliases included. */
export const UTILITY_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {};
