import { decodeAccount, encodeAccount } from '../crypto/account.js';
import { toHex } from '../bytes.js';
import type { Block, BlockType } from './types.js';

// The node's JSON block form (nano/lib/blocks.cpp deserialize_json / serialize_json).

export type BlockJson = Readonly<Record<string, string>>;

export type ParseBlockResult = { readonly ok: true; readonly block: Block } | { readonly ok: false; readonly code: 'block_invalid'; readonly field: string };

class FieldError extends Error {
  constructor(readonly field: string) {
    super(field);
  }
}

const HEX_RE = /^[0-9a-fA-F]+$/;
const DEC_RE = /^[0-9]+$/;
const MAX_U128 = (1n << 128n) - 1n;

function str(obj: Readonly<Record<string, unknown>>, field: string): string {
  const value = obj[field];
  if (typeof value !== 'string') throw new FieldError(field);
  return value;
}

/** decode_hex: 1..2·bytes hex digits, left-padded (the node's uint256/uint512 `decode_hex`). */
function hexField(obj: Readonly<Record<string, unknown>>, field: string, bytes: number): Buffer {
  const text = str(obj, field);
  if (text.length === 0 || text.length > bytes * 2 || !HEX_RE.test(text)) throw new FieldError(field);
  return Buffer.from(text.padStart(bytes * 2, '0'), 'hex');
}

function accountField(obj: Readonly<Record<string, unknown>>, field: string): Buffer {
  const decoded = decodeAccount(str(obj, field));
  if (decoded === undefined) throw new FieldError(field);
  return decoded.publicKey;
}

/** State `link`: hex, or an account as the node falls back to. */
function linkField(obj: Readonly<Record<string, unknown>>): Buffer {
  const text = str(obj, 'link');
  if (text.length > 0 && text.length <= 64 && HEX_RE.test(text)) return Buffer.from(text.padStart(64, '0'), 'hex');
  const decoded = decodeAccount(text);
  if (decoded === undefined) throw new FieldError('link');
  return decoded.publicKey;
}

/** decode_dec: ≤39 digits, no leading zero, fits 128 bits. */
function decimalBalance(obj: Readonly<Record<string, unknown>>, field: string): bigint {
  const text = str(obj, field);
  if (!DEC_RE.test(text) || text.length > 39 || (text.length > 1 && text[0] === '0')) throw new FieldError(field);
  const value = BigInt(text);
  if (value > MAX_U128) throw new FieldError(field);
  return value;
}

function hexBalance(obj: Readonly<Record<string, unknown>>, field: string): bigint {
  return BigInt('0x' + hexField(obj, field, 16).toString('hex'));
}

function work(obj: Readonly<Record<string, unknown>>): bigint {
  const text = str(obj, 'work');
  if (text.length === 0 || text.length > 16 || !HEX_RE.test(text)) throw new FieldError('work');
  return BigInt('0x' + text);
}

function signed(obj: Readonly<Record<string, unknown>>): { signature: Buffer; work: bigint } {
  return { signature: hexField(obj, 'signature', 64), work: work(obj) };
}

/** Parses the node's JSON block object; any missing or malformed field makes the block invalid. */
export function parseBlockJson(input: unknown): ParseBlockResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, code: 'block_invalid', field: '' };
  }
  const obj = input as Readonly<Record<string, unknown>>;
  try {
    const type = str(obj, 'type');
    switch (type) {
      case 'state':
        return {
          ok: true,
          block: {
            type,
            account: accountField(obj, 'account'),
            previous: hexField(obj, 'previous', 32),
            representative: accountField(obj, 'representative'),
            balance: decimalBalance(obj, 'balance'),
            link: linkField(obj),
            ...signed(obj),
          },
        };
      case 'open':
        return {
          ok: true,
          block: {
            type,
            source: hexField(obj, 'source', 32),
            representative: accountField(obj, 'representative'),
            account: accountField(obj, 'account'),
            ...signed(obj),
          },
        };
      case 'send':
        return {
          ok: true,
          block: {
            type,
            previous: hexField(obj, 'previous', 32),
            destination: accountField(obj, 'destination'),
            balance: hexBalance(obj, 'balance'),
            ...signed(obj),
          },
        };
      case 'receive':
        return {
          ok: true,
          block: { type, previous: hexField(obj, 'previous', 32), source: hexField(obj, 'source', 32), ...signed(obj) },
        };
      case 'change':
        return {
          ok: true,
          block: {
            type,
            previous: hexField(obj, 'previous', 32),
            representative: accountField(obj, 'representative'),
            ...signed(obj),
          },
        };
      default:
        return { ok: false, code: 'block_invalid', field: 'type' };
    }
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, code: 'block_invalid', field: err.field };
    throw err;
  }
}

function workHex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

/** The node's JSON form, fields in `serialize_json` order, every value a string. */
export function blockToJson(block: Block): BlockJson {
  const type: BlockType = block.type;
  switch (block.type) {
    case 'state':
      return {
        type,
        account: encodeAccount(block.account),
        previous: toHex(block.previous),
        representative: encodeAccount(block.representative),
        balance: block.balance.toString(10),
        link: toHex(block.link),
        link_as_account: encodeAccount(block.link),
        signature: toHex(block.signature),
        work: workHex(block.work),
      };
    case 'open':
      return {
        type,
        source: toHex(block.source),
        representative: encodeAccount(block.representative),
        account: encodeAccount(block.account),
        work: workHex(block.work),
        signature: toHex(block.signature),
      };
    case 'send':
      return {
        type,
        previous: toHex(block.previous),
        destination: encodeAccount(block.destination),
        balance: block.balance.toString(16).toUpperCase().padStart(32, '0'),
        work: workHex(block.work),
        signature: toHex(block.signature),
      };
    case 'receive':
      return {
        type,
        previous: toHex(block.previous),
        source: toHex(block.source),
        work: workHex(block.work),
        signature: toHex(block.signature),
      };
    case 'change':
      return {
        type,
        previous: toHex(block.previous),
        representative: encodeAccount(block.representative),
        work: workHex(block.work),
        signature: toHex(block.signature),
      };
  }
}
