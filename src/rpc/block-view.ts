import type { BlockJson } from '../ledger/blocks/json.js';
import type { BlockInfoResult } from '../ledger/ledger.js';
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

/** The fields block_info and each blocks_info entry share, in the node's order. */
export function blockInfoFields(info: BlockInfoResult, jsonBlock: boolean): Record<string, RpcValue> {
  const fields: Record<string, RpcValue> = {
    block_account: info.account,
    amount: String(info.amount),
    balance: String(info.balance),
    height: String(info.height),
    local_timestamp: String(info.localTimestamp),
    successor: info.successor,
    confirmed: info.confirmed ? 'true' : 'false',
    contents: blockContents(info.contents, jsonBlock),
  };
  if (info.subtype !== undefined) fields.subtype = info.subtype;
  return fields;
}
