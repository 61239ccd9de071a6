import { decodeAccount, encodeAccount } from '../ledger/crypto/account.js';
import { RpcError, type RpcErrorCode } from './errors.js';

/**
 * Request values, read the way the node reads them: every JSON scalar is text first
 * (`"count": 1` ≡ `"count": "1"`), hex is case-insensitive and may be short (left-padded),
 * amounts are plain decimal. Each reader throws the node's error for a bad value.
 */

const HEX = /^[0-9a-fA-F]+$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;
const MAX_U128 = (1n << 128n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

/** A JSON scalar as the node's property tree holds it; undefined when absent. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  // An object or array where a value was expected: the node's get<std::string> fails.
  throw new RpcError('unable_to_parse_json');
}

/** A required value: absent is the node's "Unable to parse JSON" (ptree get throws). */
export function requiredText(value: unknown): string {
  const result = text(value);
  if (result === undefined) throw new RpcError('unable_to_parse_json');
  return result;
}

/** 32 bytes from up to 64 hex digits, left-padded as the node's decode_hex does. */
export function hex32(value: string, error: RpcErrorCode): Buffer {
  if (value.length === 0 || value.length > 64 || !HEX.test(value)) throw new RpcError(error);
  return Buffer.from(value.padStart(64, '0'), 'hex');
}

export interface AccountValue {
  readonly publicKey: Buffer;
  /** The node flags `xrb-`/`nano-` spellings with "deprecated_account_format": "1". */
  readonly deprecatedFormat: boolean;
}

/** How many account texts `account` remembers; past that it starts over. */
const DECODED_ACCOUNT_CACHE_SIZE = 4096;
const decodedAccounts = new Map<string, AccountValue>();

/**
 * A checked account. Wallet backends ask about the same accounts again and again, and the
 * checksum (a blake2b hash) costs more than the rest of a cached account read, so accepted
 * texts are remembered. Each call gets its own key buffer: callers may keep or change it.
 */
export function account(value: unknown, error: RpcErrorCode = 'bad_account_number'): AccountValue {
  const spelling = requiredText(value);
  let decoded: AccountValue | undefined = decodedAccounts.get(spelling);
  if (decoded === undefined) {
    decoded = decodeAccount(spelling);
    if (!decoded) throw new RpcError(error);
    if (decodedAccounts.size >= DECODED_ACCOUNT_CACHE_SIZE) decodedAccounts.clear();
    decodedAccounts.set(spelling, decoded);
  }
  return { publicKey: Buffer.from(decoded.publicKey), deprecatedFormat: decoded.deprecatedFormat };
}

export function blockHash(value: unknown, error: RpcErrorCode = 'invalid_block_hash'): Buffer {
  return hex32(requiredText(value), error);
}

/** uint128 amount in raw, decimal, at most 39 digits. */
export function amount(value: unknown, error: RpcErrorCode = 'invalid_amount_number'): bigint {
  const digits = requiredText(value);
  if (digits.length > 39 || !DECIMAL.test(digits)) throw new RpcError(error);
  const parsed = BigInt(digits);
  if (parsed > MAX_U128) throw new RpcError(error);
  return parsed;
}

/**
 * A count as std::stoull reads it: "-1" wraps to 2^64−1, which callers treat as "all".
 * Absent → `fallback`; junk → the given error.
 */
export function count(value: unknown, fallback: bigint | undefined, error: RpcErrorCode = 'invalid_count'): bigint | undefined {
  const raw = text(value);
  if (raw === undefined) return fallback;
  const trimmed = raw.trim();
  const match = /^([+-]?)([0-9]+)/.exec(trimmed);
  if (!match) throw new RpcError(error);
  let parsed = BigInt(match[2]!);
  if (parsed > MAX_U64) throw new RpcError(error);
  if (match[1] === '-') parsed = (MAX_U64 + 1n - parsed) & MAX_U64;
  return parsed;
}

/** A count clamped to what a JS array can hold, for slicing results. */
export function countAsNumber(value: bigint | undefined): number {
  if (value === undefined || value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  return Number(value);
}

/** Booleans as the node's ptree get<bool> accepts them: true/false, "true"/"false", "1"/"0". */
export function flag(value: unknown, fallback = false): boolean {
  const raw = text(value);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new RpcError('unable_to_parse_json');
}

/** An array parameter (`hashes`, `accounts`): absent or not an array is "Unable to parse JSON". */
export function list(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new RpcError('unable_to_parse_json');
  return value;
}

export function accountText(publicKey: Uint8Array): string {
  return encodeAccount(publicKey);
}
