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

/**
 * A value as the node's property tree holds it: scalars are text (the request parser keeps
 * numbers, true, false and null as their exact text), and an object or array where a value was
 * expected has empty text. Undefined when absent.
 */
export function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  if (typeof value === 'object') return '';
  // A JSON scalar here (number, boolean); objects were handled above.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(value);
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

const MAX_U64 = (1n << 64n) - 1n;

/**
 * The node's decode_unsigned: std::stoull (leading blanks, an optional sign, "-1" wrapping to
 * 2^64−1) that must consume the whole text. Undefined when the node would refuse it.
 */
export function decodeUnsigned(raw: string): bigint | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(raw);
  if (!match) return undefined;
  const digits = BigInt(match[2]!);
  if (digits > MAX_U64) return undefined;
  return match[1] === '-' ? (MAX_U64 + 1n - digits) & MAX_U64 : digits;
}

/** count_impl: required (absent → "Unable to parse JSON"), and 0 is "Invalid count". */
export function requiredCount(value: unknown): bigint {
  const parsed = decodeUnsigned(requiredText(value));
  if (parsed === undefined || parsed === 0n) throw new RpcError('invalid_count');
  return parsed;
}

/** count_optional_impl: absent → `fallback` (the node's default is "no limit"). */
export function optionalCount(value: unknown, fallback: bigint = MAX_U64): bigint {
  return optionalUnsigned(value, fallback, 'invalid_count');
}

export function optionalOffset(value: unknown): bigint {
  return optionalUnsigned(value, 0n, 'invalid_offset');
}

export function optionalUnsigned(value: unknown, fallback: bigint, error: RpcErrorCode): bigint {
  const raw = text(value);
  if (raw === undefined) return fallback;
  const parsed = decodeUnsigned(raw);
  if (parsed === undefined) throw new RpcError(error);
  return parsed;
}

/** A count clamped to what a JS array can hold, for slicing results. */
export function countAsNumber(value: bigint | undefined): number {
  if (value === undefined || value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  return Number(value);
}

const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const SIGNED_DIGITS = /^[+-]?[0-9]+$/;

/**
 * A flag as the node's `get<bool> (name, default)` reads it (Boost's stream translator): an
 * integer 0 or 1 (`"01"`, `"+1"`, `"-0"` too), else the word true or false, blanks around
 * allowed. Absent, or text that is neither, is the default: never an error.
 */
export function flag(value: unknown, fallback = false): boolean {
  const raw = text(value);
  if (raw === undefined) return fallback;
  switch (raw) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
  }
  const word = raw.replace(ASCII_SPACE, '');
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (!SIGNED_DIGITS.test(word)) return fallback;
  const digits = word.replace(/^[+-]?0*/, '');
  if (digits === '') return false;
  return digits === '1' && !word.startsWith('-') ? true : fallback;
}

/**
 * Entries a list parameter may hold. Handling is synchronous: at ~15-20 µs an entry (a lookup and
 * its answer), 1,024 entries keep one request well under 100 ms of other clients' waiting; 480k took 8 s.
 */
export const MAX_LIST_ENTRIES = 1024;

/** An array parameter (`hashes`, `accounts`): absent or not an array is "Unable to parse JSON". */
export function list(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new RpcError('unable_to_parse_json');
  if (value.length > MAX_LIST_ENTRIES) throw new RpcError('list_too_long');
  return value;
}

export function accountText(publicKey: Uint8Array): string {
  return encodeAccount(publicKey);
}
