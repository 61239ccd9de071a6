import type { AnyActionSpec } from '../action.js';

/** The account actions of the table (see action-table.ts); one entry per action name, aliases included. */
export const ACCOUNT_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {};
