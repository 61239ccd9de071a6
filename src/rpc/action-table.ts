import type { AnyActionSpec } from './action.js';
import { ACCOUNT_ACTIONS } from './actions/account-actions.js';
import { BLOCK_ACTIONS } from './actions/block-actions.js';
import { block_count } from './actions/ledger-counts.js';
import { stop, uptime, version } from './actions/node-info.js';
import { UTILITY_ACTIONS } from './actions/utility-actions.js';
import { WALLET_ACTIONS } from './actions/wallet-actions.js';

/**
 * Every action this server answers. Adding an action is one entry here and one handler.
 * Keys are the node's action names; aliases point at the same spec.
 */
export const ACTIONS: Readonly<Record<string, AnyActionSpec>> = {
  block_count,
  stop,
  uptime,
  version,
  ...ACCOUNT_ACTIONS,
  ...BLOCK_ACTIONS,
  ...UTILITY_ACTIONS,
  ...WALLET_ACTIONS,
};

/**
 * The node's control-level actions (nano/rpc/rpc_handler.cpp create_rpc_control_impls). With
 * enable_control off, the node refuses these with "RPC control is disabled" before it looks the
 * action up, so a client gets the same answer here even for the ones we don't implement.
 */
export const NODE_CONTROL_ACTIONS: ReadonlySet<string> = new Set([
  'account_create',
  'account_move',
  'account_remove',
  'account_representative_set',
  'accounts_create',
  'backoff_info',
  'block_create',
  'bootstrap_lazy',
  'database_txn_tracker',
  'epoch_upgrade',
  'keepalive',
  'ledger',
  'node_id',
  'password_change',
  'populate_backlog',
  'receive',
  'receive_minimum',
  'receive_minimum_set',
  'search_pending',
  'search_receivable',
  'search_pending_all',
  'search_receivable_all',
  'send',
  'stop',
  'unchecked_clear',
  'unopened',
  'wallet_add',
  'wallet_add_watch',
  'wallet_change_seed',
  'wallet_create',
  'wallet_destroy',
  'wallet_lock',
  'wallet_representative_set',
  'wallet_republish',
  'wallet_work_get',
  'work_generate',
  'work_cancel',
  'work_get',
  'work_set',
  'work_peer_add',
  'work_peers',
  'work_peers_clear',
  'wallet_seed',
]);

/**
 * Actions that only read, so a request that failed without an answer may be sent once more
 * (to another node when there is one). Anything not listed — `process`, `send`, `receive`,
 * every wallet action, the control list, actions we don't know — is never sent twice.
 */
export const NODE_READ_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'account_balance',
  'account_block_count',
  'account_count',
  'account_get',
  'account_history',
  'account_info',
  'account_key',
  'account_representative',
  'account_weight',
  'accounts_balances',
  'accounts_frontiers',
  'accounts_receivable',
  'accounts_pending',
  'accounts_representatives',
  'active_difficulty',
  'available_supply',
  'block',
  'block_account',
  'block_count',
  'block_info',
  'block_hash',
  'blocks',
  'blocks_info',
  'chain',
  'confirmation_active',
  'confirmation_history',
  'confirmation_info',
  'confirmation_quorum',
  'delegators',
  'delegators_count',
  'deterministic_key',
  'frontier_count',
  'frontiers',
  'history',
  'key_create',
  'key_expand',
  'nano_to_raw',
  'raw_to_nano',
  'peers',
  'pending',
  'pending_exists',
  'receivable',
  'receivable_exists',
  'representatives',
  'representatives_online',
  'successors',
  'telemetry',
  'unchecked',
  'unchecked_get',
  'unchecked_keys',
  'uptime',
  'validate_account_number',
  'version',
  'work_validate',
  'election_statistics',
  'stats',
]);
