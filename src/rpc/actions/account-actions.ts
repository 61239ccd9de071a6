import type { AnyActionSpec } from '../action.js';
import {
  account_balance,
  account_block_count,
  account_get,
  account_history,
  account_info,
  account_key,
  accounts_balances,
  history_deprecated,
} from './accounts.js';
import { account_count, accounts_frontiers, frontiers, ledger } from './frontiers.js';
import { accounts_pending, accounts_receivable, pending, pending_exists, receivable, receivable_exists } from './receivable.js';
import {
  account_representative,
  account_weight,
  accounts_representatives,
  available_supply,
  delegators,
  delegators_count,
  representatives,
} from './representatives.js';

/** The account actions of the table (see action-table.ts); one entry per action name, aliases included. */
export const ACCOUNT_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {
  account_balance,
  account_block_count,
  account_count,
  account_get,
  account_history,
  account_info,
  account_key,
  account_representative,
  account_weight,
  accounts_balances,
  accounts_frontiers,
  accounts_pending,
  accounts_receivable,
  accounts_representatives,
  available_supply,
  delegators,
  delegators_count,
  frontier_count: account_count,
  frontiers,
  history: history_deprecated,
  ledger,
  pending,
  pending_exists,
  receivable,
  receivable_exists,
  representatives,
};
