import type { AnyActionSpec } from '../action.js';
import { block_create, sign } from './block-create.js';
import { receive, send } from './send-receive.js';
import { active_difficulty, work_cancel, work_generate } from './work-generate.js';
import { wallet_history, wallet_ledger } from './wallet-reports.js';
import * as w from './wallets.js';

/** Wallets, send/receive, work, block_create and sign (see action-table.ts); aliases included. */
export const WALLET_ACTIONS: Readonly<Record<string, AnyActionSpec>> = {
  wallet_create: w.wallet_create,
  wallet_add: w.wallet_add,
  wallet_add_watch: w.wallet_add_watch,
  wallet_contains: w.wallet_contains,
  wallet_destroy: w.wallet_destroy,
  account_create: w.account_create,
  accounts_create: w.accounts_create,
  account_list: w.account_list,
  account_remove: w.account_remove,
  account_move: w.account_move,
  wallet_balances: w.wallet_balances,
  wallet_info: w.wallet_info,
  wallet_balance_total: w.wallet_info,
  wallet_frontiers: w.wallet_frontiers,
  wallet_receivable: w.wallet_receivable,
  wallet_pending: w.wallet_pending,
  wallet_representative: w.wallet_representative,
  wallet_representative_set: w.wallet_representative_set,
  wallet_export: w.wallet_export,
  wallet_history,
  wallet_ledger,
  wallet_change_seed: w.wallet_change_seed,
  wallet_lock: w.wallet_lock,
  wallet_locked: w.wallet_locked,
  password_enter: w.password_enter,
  wallet_unlock: w.password_enter,
  password_change: w.password_change,
  password_valid: w.password_valid,
  receive_minimum: w.receive_minimum,
  receive_minimum_set: w.receive_minimum_set,
  search_receivable: w.search_receivable,
  search_pending: w.search_pending,
  search_receivable_all: w.search_receivable_all,
  search_pending_all: w.search_receivable_all,
  deterministic_key: w.deterministic_key,
  send,
  receive,
  work_generate,
  work_cancel,
  active_difficulty,
  block_create,
  sign,
};
