/**
 * The one registry of errors a client can receive. Codes are stable identifiers for code and
 * tests; texts are the Nano node's exact strings (nano/lib/errors.cpp, rpc_handler.cpp), which
 * existing clients match on.
 */
export const RPC_ERRORS = {
  // Transport and envelope (nano/rpc/rpc_connection.cpp, rpc_handler.cpp)
  body_limit_exceeded: 'Invalid header: body limit exceeded',
  // Ours (Node drops header fields past the 1,000th, Content-Length among them); in the node's words.
  // Ours: bounds that keep one request from stalling every other client (README "HTTP behaviour").
  too_many_values: 'Request has too many values (4096 at most)',
  list_too_long: 'List has too many entries (1024 at most)',
  too_many_headers: 'Invalid header: too many header fields (1000 at most)',
  only_post: 'Can only POST requests',
  max_json_depth: 'Max JSON depth exceeded',
  unable_to_parse_json: 'Unable to parse JSON',
  internal_error: 'Internal server error in RPC',
  control_disabled: 'RPC control is disabled',
  unknown_command: 'Unknown command',
  empty_response: 'Empty response',
  stopped: 'Stopped',

  // Per-client policy (src/policy/): ours, worded as the node words its refusals
  action_not_allowed: 'Action not allowed',
  rate_limited: 'Too many requests',
  too_many_in_flight: 'Too many requests in flight',
  // Node mode: nano_rpc's texts when the node can't be reached (nano/rpc/rpc_request_processor.cpp)
  node_connect_problem:
    'There is a problem connecting to the node. Make sure ipc->tcp is enabled in the node config, ipc ports match and ipc_address is the ip where the node is located',
  node_connection_failed: 'Connection to node has failed',
  node_cannot_write: 'Cannot write to the node',
  node_failed_to_read_payload: 'Failed to read payload',

  // Request values (error_common, error_blocks, error_rpc)
  bad_account_number: 'Bad account number',
  account_not_found: 'Account not found',
  bad_hash_number: 'Bad hash number',
  invalid_block_hash: 'Invalid block hash',
  block_not_found: 'Block not found',
  invalid_count: 'Invalid count',
  invalid_offset: 'Invalid offset',
  invalid_timestamp: 'Invalid timestamp',
  invalid_amount_number: 'Invalid amount number',
  amount_too_big: 'Amount too big',
  bad_threshold_number: 'Bad threshold number',
  bad_private_key: 'Bad private key',
  bad_public_key: 'Bad public key',
  bad_representative_number: 'Bad representative number',
  bad_work: 'Bad work',
  bad_difficulty: 'Bad difficulty',
  bad_multiplier: 'Bad multiplier',
  bad_work_version: 'Bad work version',
  invalid_ip_address: 'Invalid IP address',
  invalid_port: 'Invalid port',
  both_port_and_address_required: 'Both port and address required',
  peer_not_found: 'Peer not found',

  // process: request checks (error_blocks, error_rpc)
  block_invalid: 'Block is invalid',
  block_work_low: 'Block work is less than threshold',
  must_be_state_block: 'Must be a state block',
  invalid_block_subtype: 'Invalid block subtype',
  invalid_subtype_balance: 'Invalid block balance for given subtype',
  invalid_subtype_previous: 'Invalid previous block for given subtype',
  invalid_subtype_epoch_link: 'Invalid epoch link',

  // process: ledger results (error_process)
  process_bad_signature: 'Bad signature',
  process_old: 'Old block',
  process_negative_spend: 'Negative spend',
  process_fork: 'Fork',
  process_unreceivable: 'Unreceivable',
  process_gap_previous: 'Gap previous block',
  process_gap_source: 'Gap source block',
  process_gap_epoch_open_pending: 'Gap pending for open epoch block',
  process_opened_burn_account: 'Block attempts to open the burn account',
  process_balance_mismatch: 'Balance and amount delta do not match',
  process_block_position: 'This block cannot follow the previous block',
  process_insufficient_work: 'Block work is insufficient',
  process_other: 'Error processing block',

  // Wallets, send/receive (error_common, error_rpc, json_handler.cpp)
  bad_wallet_number: 'Bad wallet number',
  wallet_not_found: 'Wallet not found',
  wallet_locked: 'Wallet is locked',
  account_not_found_in_wallet: 'Account not found in wallet',
  bad_seed: 'Bad seed',
  invalid_index: 'Invalid index',
  bad_source: 'Bad source',
  source_not_found: 'Source not found',
  bad_destination: 'Bad destination account',
  insufficient_balance: 'Insufficient balance',
  invalid_work: 'Invalid work',
  error_generating_block: 'Error generating block',

  // Work, block_create, sign (error_rpc, json_handler.cpp)
  difficulty_limit: 'Difficulty above config limit or below publish threshold',
  root_mismatch: 'Root mismatch for block',
  work_already_enough: 'Provided work is already enough for given difficulty',
  work_failure: 'Work generation cancellation or failure',
  cancelled: 'Cancelled',
  invalid_block_type: 'Invalid block type',
  bad_previous: 'Bad previous',
  invalid_balance_number: 'Invalid balance number',
  bad_link_number: 'Bad link number',
  key_or_wallet_required: 'Private key or local wallet and account required',
  incorrect_key: 'Incorrect key for given account',
  state_fields_required: 'Previous, representative, final balance and link (source or destination) are required',
  open_fields_required: 'Representative account and source hash required',
  receive_fields_required: 'Previous hash and source hash required',
  change_fields_required: 'Representative account and previous hash required',
  send_fields_required: 'Destination account, previous hash, current balance and amount required',
  balance_mismatch_previous: 'Balance mismatch for previous block',
  sign_hash_disabled: 'Signing by block hash is disabled',
  // Ours: the node has no answer for a refused disk write (it stops). Nothing of the block was written.
  ledger_full: 'Ledger write failed: no space left on device',
  ledger_write_failed: 'Ledger write failed',
} as const;

export type RpcErrorCode = keyof typeof RPC_ERRORS;

/** An error whose text may be shown to the client; anything else is answered generically. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;
  /** An HTTP status other than 200 and extra headers (a rate-limit refusal: 429, Retry-After, X-RateLimit-*). */
  readonly http: HttpRefusal | undefined;

  constructor(code: RpcErrorCode, options?: { cause?: unknown; http?: HttpRefusal }) {
    super(RPC_ERRORS[code], options);
    this.name = 'RpcError';
    this.code = code;
    this.http = options?.http;
  }
}

export interface HttpRefusal {
  readonly status: number;
  /** Flat [name, value, ...] list, as writeHead takes it. */
  readonly headers: readonly string[];
}
