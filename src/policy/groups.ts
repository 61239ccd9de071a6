import { ACCOUNT_ACTIONS } from '../rpc/actions/account-actions.js';
import { BLOCK_ACTIONS } from '../rpc/actions/block-actions.js';
import { ACTIONS, NODE_CONTROL_ACTIONS, NODE_READ_ONLY_ACTIONS } from '../rpc/action-table.js';

/**
 * The node's wallet RPCs (nano/node/json_handler.cpp), answered by the embedded wallets
 * (src/wallet/) or, in node mode, by the node: the same policy file means the same thing in both.
 */
const WALLET_ACTIONS: readonly string[] = [
  'account_create',
  'account_list',
  'account_move',
  'account_remove',
  'accounts_create',
  'password_change',
  'password_enter',
  'password_valid',
  'receive',
  'receive_minimum',
  'receive_minimum_set',
  'search_pending',
  'search_pending_all',
  'search_receivable',
  'search_receivable_all',
  'send',
  'wallet_add',
  'wallet_add_watch',
  'wallet_balances',
  'wallet_change_seed',
  'wallet_contains',
  'wallet_create',
  'wallet_destroy',
  'wallet_export',
  'wallet_frontiers',
  'wallet_history',
  'wallet_info',
  'wallet_balance_total',
  'wallet_ledger',
  'wallet_lock',
  'wallet_locked',
  'wallet_pending',
  'wallet_receivable',
  'wallet_representative',
  'wallet_representative_set',
  'wallet_republish',
  'wallet_seed',
  'wallet_unlock',
  'wallet_work_get',
  'work_get',
  'work_set',
];

/** Actions that change the ledger (never cached). */
const STATE_CHANGING: ReadonlySet<string> = new Set(['process']);

function controlOf(name: string): boolean {
  const spec = ACTIONS[name];
  return NODE_CONTROL_ACTIONS.has(name) || spec?.control === true;
}

/**
 * Read-only ledger queries: the account and block actions of the table and `block_count`,
 * without `process` and without control actions (`ledger`). Their answers depend only on the
 * request and the ledger, so they are the only actions that may be cached.
 */
const READ: readonly string[] = ['block_count', ...Object.keys(ACCOUNT_ACTIONS), ...Object.keys(BLOCK_ACTIONS)]
  .filter((name) => !STATE_CHANGING.has(name) && !controlOf(name))
  .sort();

/** Everything else the table answers without control: conversions, keys, version, uptime, peers. */
const UTILITY: readonly string[] = Object.keys(ACTIONS)
  .filter((name) => !READ.includes(name) && !WALLET_ACTIONS.includes(name) && !STATE_CHANGING.has(name) && !controlOf(name))
  .sort();

const CONTROL: readonly string[] = [...new Set([...NODE_CONTROL_ACTIONS, ...Object.keys(ACTIONS).filter(controlOf)])].sort();

/** Named groups a rule's `allow`/`deny` may use besides action names. `*` is every action. */
export const ACTION_GROUPS: Readonly<Record<string, readonly string[]>> = {
  read: READ,
  process: ['process'],
  wallet: WALLET_ACTIONS,
  control: CONTROL,
  utility: UTILITY,
};

/** Every action name a policy may mention. */
export const KNOWN_ACTIONS: ReadonlySet<string> = new Set([...Object.keys(ACTIONS), ...NODE_CONTROL_ACTIONS, ...NODE_READ_ONLY_ACTIONS, ...WALLET_ACTIONS]);

export const CONTROL_ACTIONS: ReadonlySet<string> = new Set(CONTROL);

/** Actions whose answers may be cached: read-only ledger queries only. */
export const CACHEABLE_ACTIONS: ReadonlySet<string> = new Set(READ);

/** Expands `allow`/`deny` entries (group names, `*`, action names) to a set; `*` stays a wildcard. */
export function expandActions(entries: readonly string[]): { all: boolean; names: Set<string> } {
  const names = new Set<string>();
  let all = false;
  for (const entry of entries) {
    if (entry === '*') all = true;
    else for (const name of ACTION_GROUPS[entry] ?? [entry]) names.add(name);
  }
  return { all, names };
}
