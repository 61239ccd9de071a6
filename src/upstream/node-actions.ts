import { randomBytes } from 'node:crypto';
import { flag, text } from '../rpc/params.js';

/**
 * Actions that only read, so a request that failed without an answer may be sent once more
 * (to another node when there is one). Anything not listed — `process`, `send`, `receive`,
 * every wallet action, the control list, actions we don't know — is never sent twice.
 */
export const READ_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'account_balance', 'account_block_count', 'account_count', 'account_get', 'account_history', 'account_info', 'account_key',
  'account_representative', 'account_weight', 'accounts_balances', 'accounts_frontiers', 'accounts_receivable',
  'accounts_pending', 'accounts_representatives', 'active_difficulty', 'available_supply', 'block', 'block_account',
  'block_count', 'block_info', 'block_hash', 'blocks', 'blocks_info', 'chain', 'confirmation_active',
  'confirmation_history', 'confirmation_info', 'confirmation_quorum', 'delegators', 'delegators_count',
  'deterministic_key', 'frontier_count', 'frontiers', 'history', 'key_create', 'key_expand', 'nano_to_raw', 'raw_to_nano',
  'peers', 'pending', 'pending_exists', 'receivable', 'receivable_exists', 'representatives',
  'representatives_online', 'successors', 'telemetry', 'unchecked', 'unchecked_get', 'unchecked_keys', 'uptime',
  'validate_account_number', 'version', 'work_validate', 'election_statistics', 'stats',
]);

/**
 * nano_rpc's control rules that depend on parameters (rpc_handler.cpp): `process` with
 * `force` and `stats` with `type` = `objects` need `enable_control` like the control list.
 */
export function needsControlForParams(action: string, request: Readonly<Record<string, unknown>>): boolean {
  if (action === 'process') return flag(request.force);
  if (action === 'stats') return text(request.type) === 'objects';
  return false;
}

/**
 * nano_rpc adds a random 128-bit `id` (32 upper-case hex) to a `send` that has none, so a
 * resend can't pay twice. We add it to the raw bytes (right after the opening brace) rather
 * than re-serialising, so every other value reaches the node exactly as the client wrote it.
 */
export function withSendId(body: Buffer, request: Readonly<Record<string, unknown>>): Buffer {
  if (request.id !== undefined) return body;
  const brace = body.indexOf(0x7b); // '{' : the body parsed as an object, so the first one opens it
  const id = Buffer.from(`"id":"${randomBytes(16).toString('hex').toUpperCase()}",`);
  return Buffer.concat([body.subarray(0, brace + 1), id, body.subarray(brace + 1)]);
}
