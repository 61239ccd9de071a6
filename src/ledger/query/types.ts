import type { BlockJson } from '../blocks/json.js';
import type { Block, BlockSubtype, Epoch } from '../blocks/types.js';

// Query results as plain data: amounts bigint, hashes 64 upper-case hex, accounts `nano_` strings.

export interface AccountInfoResult {
  readonly frontier: string;
  readonly openBlock: string;
  readonly representativeBlock: string;
  readonly representative: string;
  readonly balance: bigint;
  /** Seconds since the Unix epoch. */
  readonly modifiedTimestamp: bigint;
  readonly blockCount: bigint;
  readonly accountVersion: Epoch;
  /** Every block is cemented on apply, so these equal the head and the block count. */
  readonly confirmationHeight: bigint;
  readonly confirmationHeightFrontier: string;
}

export interface BalanceResult {
  readonly balance: bigint;
  readonly receivable: bigint;
}

export interface BlockInfoResult {
  readonly hash: string;
  readonly account: string;
  /** |balance − previous balance| as the node's `block_amount`: 0 for change and epoch blocks. */
  readonly amount: bigint;
  readonly balance: bigint;
  readonly height: bigint;
  readonly localTimestamp: bigint;
  /** 64 zeros when none. */
  readonly successor: string;
  readonly confirmed: boolean;
  /** Node-style subtype of a state block (a state open is `receive`); undefined for legacy blocks. */
  readonly subtype: 'send' | 'receive' | 'change' | 'epoch' | undefined;
  /** What the block did, for every type (legacy `open`, `send`, ...). */
  readonly kind: BlockSubtype;
  readonly epoch: Epoch;
  readonly sourceEpoch: Epoch;
  /** Send: destination; receive/open: sender; undefined for change/epoch. */
  readonly linkedAccount: string | undefined;
  readonly contents: BlockJson;
  readonly block: Block;
}

export interface ReceivableEntry {
  readonly hash: string;
  readonly amount: bigint;
  readonly source: string;
  readonly epoch: Epoch;
}

export interface HistoryEntry {
  readonly hash: string;
  readonly type: 'send' | 'receive' | 'change' | 'epoch' | 'open';
  readonly blockType: Block['type'];
  /** Counterparty (send: destination, receive: sender); the account itself for change/epoch. */
  readonly account: string;
  readonly amount: bigint;
  readonly balance: bigint;
  readonly height: bigint;
  readonly localTimestamp: bigint;
  readonly confirmed: boolean;
  readonly contents: BlockJson;
  /** For the RPC's `previous`/`next` paging fields; 64 zeros when none. */
  readonly previous: string;
  readonly successor: string;
}

export interface FrontierEntry {
  readonly account: string;
  readonly hash: string;
}

export interface WeightEntry {
  readonly account: string;
  readonly weight: bigint;
}

export interface AccountEntry {
  readonly publicKey: Buffer;
  readonly account: string;
  readonly info: AccountInfoResult;
}
