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

  // Ours: the node has no answer for a refused disk write (it stops). Nothing of the block was written.
  ledger_full: 'Ledger write failed: no space left on device',
  ledger_write_failed: 'Ledger write failed',
} as const;

export type RpcErrorCode = keyof typeof RPC_ERRORS;

/** An error whose text may be shown to the client; anything else is answered generically. */
export class RpcError extends Error {
  readonly code: RpcErrorCode;

  constructor(code: RpcErrorCode, options?: { cause?: unknown }) {
    super(RPC_ERRORS[code], options);
    this.name = 'RpcError';
    this.code = code;
  }
}
