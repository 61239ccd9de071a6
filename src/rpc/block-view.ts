import type { BlockJson } from '../ledger/blocks/json.js';
import type { Block, BlockInfoResult, Ledger } from '../ledger/ledger.js';
import type { RpcValue } from './encode.js';

/**
 * The node's stringified block (`block->serialize_json (std::string)`): Boost write_json pretty
 * output, 4-space indent, `"key": "value"`, a newline after the closing brace. Clients parse it;
 * matching the node's text keeps byte-comparing clients and logs consistent too.
 */
export function stringifyBlock(json: BlockJson): string {
  const lines = Object.entries(json).map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** `contents` as the request asked: an object with `json_block` true, the node's string otherwise. */
export function blockContents(json: BlockJson, jsonBlock: boolean): RpcValue {
  return jsonBlock ? json : stringifyBlock(json);
}

/** The fields block_info and each blocks_info entry share, in the node's order (`linked_account` when asked for). */
export function blockInfoFields(info: BlockInfoResult, jsonBlock: boolean, linkedAccount?: string): Record<string, RpcValue> {
  const fields: Record<string, RpcValue> = { block_account: info.account };
  if (linkedAccount !== undefined) fields.linked_account = linkedAccount;
  fields.amount = String(info.amount);
  fields.balance = String(info.balance);
  fields.height = String(info.height);
  fields.local_timestamp = String(info.localTimestamp);
  fields.successor = info.successor;
  fields.confirmed = info.confirmed ? 'true' : 'false';
  fields.contents = blockContents(info.contents, jsonBlock);
  if (info.subtype !== undefined) fields.subtype = info.subtype;
  return fields;
}

/** The hash a receive or open took its funds from; undefined for other blocks. */
export function sourceOf(block: Block, kind: BlockInfoResult['kind']): Buffer | undefined {
  if (kind !== 'receive' && kind !== 'open') return undefined;
  if (block.type === 'state') return block.link;
  if (block.type === 'open' || block.type === 'receive') return block.source;
  return undefined;
}

/**
 * The node's `ledger.linked_account` (V28 `include_linked_account`): a send's destination, the
 * account that sent what a receive or open took (none for the genesis open, whose source is no
 * block), "0" for everything else.
 */
export function linkedAccountOf(ledger: Ledger, info: BlockInfoResult): string {
  if (info.kind === 'send') return info.linkedAccount ?? '0';
  const source = sourceOf(info.block, info.kind);
  return (source === undefined ? undefined : ledger.blockInfo(source)?.account) ?? '0';
}
