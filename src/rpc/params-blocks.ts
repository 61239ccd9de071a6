import { parseBlockJson } from '../ledger/blocks/json.js';
import type { Block } from '../ledger/ledger.js';
import { RpcError, type RpcErrorCode } from './errors.js';
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

/** The node reads the block into a property tree, where every scalar is text ("balance": 100 ≡ "100"). */
function asPropertyTree(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    out[key] = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  }
  return out;
}

export interface BlockParams {
  readonly block?: unknown;
  readonly json_block?: unknown;
}

/**
 * The request's block: a JSON object when `json_block` is true, otherwise a string holding the JSON
 * (a mismatch is "Block is invalid", as the node's tests `process_block`/`process_json_block` show).
 * Without `signatureAndWork` (block_hash) those two fields are not needed, as in the node.
 */
export function requestBlock(params: BlockParams, signatureAndWork: boolean): Block {
  const jsonBlock = flag(params.json_block);
  let raw: unknown = params.block;
  if (raw === undefined) throw new RpcError('unable_to_parse_json');
  if (!jsonBlock) {
    if (typeof raw !== 'string') throw new RpcError('block_invalid');
    try {
      raw = JSON.parse(raw);
    } catch (cause) {
      throw new RpcError('block_invalid', { cause });
    }
  }
  if (!isPlainObject(raw)) throw new RpcError('block_invalid');
  const fields = asPropertyTree(raw);
  if (!signatureAndWork) {
    fields.signature = '0';
    fields.work = '0';
  }
  const parsed = parseBlockJson(fields);
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

