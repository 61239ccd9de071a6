import { RPC_ERRORS, RpcError, type RpcErrorCode } from './errors.js';
import type { RpcValue } from './encode.js';
import { account, hex32, list, requiredText, text } from './params.js';

// Readers for the account/receivable/frontier actions, matching the node's json_handler helpers
// (threshold_optional_impl, account_impl).

const MAX_U128 = (1n << 128n) - 1n;

/** threshold_optional_impl: decode_dec (≤39 digits, no leading zero, fits 128 bits); absent → 0. */
export function optionalThreshold(value: unknown): bigint {
  const raw = text(value);
  if (raw === undefined) return 0n;
  if (raw.length === 0 || raw.length > 39 || !/^(0|[1-9][0-9]*)$/.test(raw)) throw new RpcError('bad_threshold_number');
  const parsed = BigInt(raw);
  if (parsed > MAX_U128) throw new RpcError('bad_threshold_number');
  return parsed;
}

/** A hash the node reads with decode_hex, failing with `error`. */
export function hashValue(value: unknown, error: RpcErrorCode): Buffer {
  return hex32(requiredText(value), error);
}

/** Counts as the handlers compare them: unlimited counts stay exact as bigint. */
export function below(size: number, limit: bigint): boolean {
  return BigInt(size) < limit;
}

/**
 * Reads accounts the way account_impl does and remembers whether any used the deprecated
 * `xrb-`/`nano-` spelling, which the node flags with "deprecated_account_format": "1".
 */
export class AccountReader {
  private deprecatedSeen = false;

  /** Whether an account was written the deprecated way (`xrb-`/`nano-`). */
  get deprecated(): boolean {
    return this.deprecatedSeen;
  }

  read(value: unknown, error: RpcErrorCode = 'bad_account_number'): Buffer {
    const decoded = account(value, error);
    if (decoded.deprecatedFormat) this.deprecatedSeen = true;
    return decoded.publicKey;
  }

  /** Like `read`, but a bad account is reported instead of thrown (the V25+ per-account errors). */
  tryRead(value: unknown): Buffer | undefined {
    try {
      return this.read(value);
    } catch (error) {
      if (error instanceof RpcError) return undefined;
      throw error;
    }
  }

  /** The answer's leading fields: the node puts the flag in as soon as it reads such an account. */
  answer(prefix: Record<string, RpcValue> = {}): Record<string, RpcValue> {
    return this.deprecatedSeen ? { ...prefix, deprecated_account_format: '1' } : { ...prefix };
  }
}

/**
 * The V25+ answer of the accounts_* actions: under `field`, each account that `lookup` finds,
 * keyed as `lookup` says; under `errors`, the account text as sent → "Bad account number" or
 * "Account not found". The node leaves out an empty map, and answers "Empty response" when both
 * are empty.
 */
export function perAccountAnswer(
  accounts: unknown,
  field: string,
  lookup: (key: Buffer, sent: string) => readonly [string, RpcValue] | undefined,
): Record<string, RpcValue> {
  const reader = new AccountReader();
  const found: Record<string, RpcValue> = {};
  const errors: Record<string, RpcValue> = {};
  for (const element of list(accounts)) {
    const sent = requiredText(element);
    const key = reader.tryRead(sent);
    const entry = key === undefined ? undefined : lookup(key, sent);
    if (entry !== undefined) found[entry[0]] = entry[1];
    else errors[sent] = key === undefined ? RPC_ERRORS.bad_account_number : RPC_ERRORS.account_not_found;
  }
  const answer = reader.answer();
  if (Object.keys(found).length > 0) answer[field] = found;
  if (Object.keys(errors).length > 0) answer.errors = errors;
  if (Object.keys(answer).length === 0) throw new RpcError('empty_response');
  return answer;
}
