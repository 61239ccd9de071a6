/**
 * The one registry of errors a client can receive. Codes are stable identifiers for code and
 * tests; texts are the Nano node's exact strings (nano/lib/errors.cpp, rpc_handler.cpp), which
 * existing clients match on.
 */
export const RPC_ERRORS = {
  // Transport and envelope (nano/rpc/rpc_connection.cpp, rpc_handler.cpp)
  body_limit_exceeded: 'Invalid header: body limit exceeded',
  only_post: 'Can only POST requests',
  max_json_depth: 'Max JSON depth exceeded',
  unable_to_parse_json: 'Unable to parse JSON',
  internal_error: 'Internal server error in RPC',
  control_disabled: 'RPC control is disabled',
  unknown_command: 'Unknown command',
  empty_response: 'Empty response',
  stopped: 'Stopped',
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
