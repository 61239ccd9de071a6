import { parseBlockJson } from '../ledger/blocks/json.js';
import type { Block } from '../ledger/ledger.js';
import { RpcError, type RpcErrorCode } from './errors.js';
import { parseAsPropertyTree } from './json-text.js';
import { flag, text } from './params.js';

/**
 * Request values of the block actions: the `block` parameter (the node's `block_impl`) and the
 * uint64 hex values of work_validate (`from_string_hex`).
 */

const HEX64 = /^[0-9a-fA-F]{1,16}$/;
// boost::lexical_cast<double>: the whole text must be a number, no surrounding spaces.
const DOUBLE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A block's JSON is under 1 KB (a state block with link_as_account, pretty-printed); 16 KiB leaves
 * room for whitespace and extra fields. Without a bound a 32 MB nested string took seconds and GBs.
 */
const MAX_BLOCK_TEXT = 16 * 1024;
/** A block is one flat object; a little nesting in fields the node ignores is tolerated. */
const MAX_BLOCK_DEPTH = 4;
const MAX_BLOCK_VALUES = 64;

export interface BlockParams {
  readonly block?: unknown;
  readonly json_block?: unknown;
}

/**
 * The request's block (the node's `block_impl (true)`, used by both `process` and `block_hash`):
 * a JSON object when `json_block` is true, otherwise a string holding the JSON (a mismatch is
 * "Block is invalid", as the node's tests `process_block`/`process_json_block` show). The string
 * is read as the node reads it, scalars as their exact text; signature and work are required.
 */
export function requestBlock(params: BlockParams): Block {
  const jsonBlock = flag(params.json_block);
  let raw: unknown = params.block;
  if (raw === undefined) throw new RpcError('unable_to_parse_json');
  if (!jsonBlock) {
    if (typeof raw !== 'string' || raw.length > MAX_BLOCK_TEXT) throw new RpcError('block_invalid');
    try {
      raw = parseAsPropertyTree(raw, MAX_BLOCK_DEPTH, MAX_BLOCK_VALUES);
    } catch (cause) {
      throw new RpcError('block_invalid', { cause });
    }
  }
  if (!isPlainObject(raw)) throw new RpcError('block_invalid');
  const parsed = parseBlockJson(raw);
  if (!parsed.ok) throw new RpcError('block_invalid');
  return parsed.block;
}

/** An optional uint64 given as 1–16 hex digits (work, difficulty); undefined when absent. */
export function optionalHex64(value: unknown, error: RpcErrorCode): bigint | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  if (!HEX64.test(raw)) throw new RpcError(error);
  return BigInt('0x' + raw);
}

/** An optional positive multiplier (`multiplier`); undefined when absent. */
export function optionalMultiplier(value: unknown): number | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const parsed = DOUBLE.test(raw) ? Number(raw) : Number.NaN;
  if (!(parsed > 0) || !Number.isFinite(parsed)) throw new RpcError('bad_multiplier');
  return parsed;
}
