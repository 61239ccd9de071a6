import { defineAction, noParams, type NoParams, requireFields } from '../action.js';
import { blockContents, blockInfoFields, linkedAccountOf, sourceOf } from '../block-view.js';
import type { RpcResult, RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { hashBlock } from '../../ledger/blocks/hash.js';
import { toHex } from '../../ledger/bytes.js';
import type { Block, BlockInfoResult, Ledger } from '../../ledger/ledger.js';
import { blockHash, countAsNumber, flag, hex32, list, optionalCount, optionalOffset, requiredCount, requiredText } from '../params.js';
import { requestBlock, type BlockParams } from '../params-blocks.js';

const ZERO_HASH = '0'.repeat(64);

interface HashParams {
  readonly hash?: unknown;
  readonly json_block?: unknown;
  readonly include_linked_account?: unknown;
}

function knownBlock(ledger: Ledger, params: HashParams): BlockInfoResult {
  const info = ledger.blockInfo(blockHash(params.hash));
  if (info === undefined) throw new RpcError('block_not_found');
  return info;
}

export const block_info = defineAction<HashParams>({
  params: requireFields('hash'),
  control: false,
  handler: (params, { ledger }) => {
    const info = knownBlock(ledger, params);
    return blockInfoFields(info, flag(params.json_block), flag(params.include_linked_account) ? linkedAccountOf(ledger, info) : undefined);
  },
});

export const block_account = defineAction<HashParams>({
  params: requireFields('hash'),
  control: false,
  handler: (params, { ledger }) => ({ account: knownBlock(ledger, params).account }),
});

export const block_hash = defineAction<BlockParams>({
  params: requireFields('block'),
  control: false,
  handler: (params) => ({ hash: toHex(hashBlock(requestBlock(params))) }),
});

interface HashesParams {
  readonly hashes?: unknown;
  readonly json_block?: unknown;
}

/** Each listed hash, as sent, with its block; the first bad or unknown hash fails the whole request. */
function* listedBlocks(ledger: Ledger, hashes: unknown): Generator<[string, BlockInfoResult | undefined]> {
  for (const item of list(hashes)) {
    const hashText = requiredText(item);
    yield [hashText, ledger.blockInfo(hex32(hashText, 'bad_hash_number'))];
  }
}

export const blocks = defineAction<HashesParams>({
  params: requireFields('hashes'),
  control: false,
  handler: (params, { ledger }) => {
    const jsonBlock = flag(params.json_block);
    const out: Record<string, RpcValue> = {};
    for (const [hashText, info] of listedBlocks(ledger, params.hashes)) {
      if (info === undefined) throw new RpcError('block_not_found');
      out[hashText] = blockContents(info.contents, jsonBlock);
    }
    return { blocks: out };
  },
});

interface BlocksInfoParams extends HashesParams {
  readonly pending?: unknown;
  readonly receivable?: unknown;
  readonly receive_hash?: unknown;
  readonly source?: unknown;
  readonly include_not_found?: unknown;
  readonly include_linked_account?: unknown;
}

function destinationOf(block: Block): Buffer | undefined {
  if (block.type === 'state') return block.link;
  if (block.type === 'send') return block.destination;
  return undefined;
}

/** The node's find_receive_block_by_send_hash: walk the destination's chain for the block that took it. */
function receiveHashOf(ledger: Ledger, destination: Buffer, sendHash: string): string {
  for (const entry of ledger.history(destination, { raw: true })) {
    if (entry.type !== 'receive' && entry.type !== 'open') continue;
    const source = entry.blockType === 'state' ? entry.contents.link : entry.contents.source;
    if (source === sendHash) return entry.hash;
  }
  return ZERO_HASH;
}

function blocksInfoEntry(
  ledger: Ledger,
  info: BlockInfoResult,
  options: { jsonBlock: boolean; linkedAccount: boolean; receivable: boolean; receiveHash: boolean; source: boolean },
): Record<string, RpcValue> {
  const entry = blockInfoFields(info, options.jsonBlock, options.linkedAccount ? linkedAccountOf(ledger, info) : undefined);
  if (options.receivable || options.receiveHash) {
    let isReceivable = false;
    let receiveHash = ZERO_HASH;
    const destination = info.kind === 'send' ? destinationOf(info.block) : undefined;
    if (destination !== undefined) {
      isReceivable = ledger.receivable(destination).some((r) => r.hash === info.hash);
      if (!isReceivable && options.receiveHash) receiveHash = receiveHashOf(ledger, destination, info.hash);
    }
    if (options.receivable) {
      entry.pending = isReceivable ? '1' : '0';
      entry.receivable = isReceivable ? '1' : '0';
    }
    if (options.receiveHash) entry.receive_hash = receiveHash;
  }
  if (options.source) {
    const source = sourceOf(info.block, info.kind);
    const sourceBlock = source === undefined ? undefined : ledger.blockInfo(source);
    entry.source_account = sourceBlock === undefined ? '0' : sourceBlock.account;
  }
  return entry;
}

export const blocks_info = defineAction<BlocksInfoParams>({
  params: requireFields('hashes'),
  control: false,
  handler: (params, { ledger }): RpcResult => {
    const pending = flag(params.pending);
    const options = {
      jsonBlock: flag(params.json_block),
      linkedAccount: flag(params.include_linked_account),
      receivable: flag(params.receivable, pending),
      receiveHash: flag(params.receive_hash),
      source: flag(params.source),
    };
    const includeNotFound = flag(params.include_not_found);
    const found: Record<string, RpcValue> = {};
    const notFound: string[] = [];
    for (const [hashText, info] of listedBlocks(ledger, params.hashes)) {
      if (info !== undefined) found[hashText] = blocksInfoEntry(ledger, info, options);
      else if (includeNotFound) notFound.push(hashText);
      else throw new RpcError('block_not_found');
    }
    return includeNotFound ? { blocks: found, blocks_not_found: notFound } : { blocks: found };
  },
});

interface ChainParams {
  readonly block?: unknown;
  readonly count?: unknown;
  readonly offset?: unknown;
  readonly reverse?: unknown;
}

/** `chain` walks previous blocks, `successors` successors; `reverse` flips either. */
function chainAction(successors: boolean) {
  return defineAction<ChainParams>({
    params: requireFields('block'),
    control: false,
    handler: (params, { ledger }) => {
      const walkSuccessors = successors !== flag(params.reverse);
      const start = blockHash(params.block);
      const limit = requiredCount(params.count);
      const offset = optionalOffset(params.offset);
      return { blocks: ledger.chain(start, { count: countAsNumber(limit), offset: countAsNumber(offset), reverse: walkSuccessors }) };
    },
  });
}

export const chain = chainAction(false);
export const successors = chainAction(true);

/** This server keeps no unchecked blocks: every accepted block is applied at once. */
export const unchecked = defineAction<NoParams>({
  params: noParams,
  control: false,
  handler: (params) => {
    optionalCount(params.count);
    return { blocks: {} };
  },
});
