// The block model: binary fields as 32/64-byte Buffers, amounts and work as bigint.
// One interface per block type so callers switch on `type` with exhaustiveness.

export type BlockType = 'send' | 'receive' | 'open' | 'change' | 'state';

interface Signed {
  readonly signature: Buffer;
  readonly work: bigint;
}

export interface StateBlock extends Signed {
  readonly type: 'state';
  readonly account: Buffer;
  readonly previous: Buffer;
  readonly representative: Buffer;
  readonly balance: bigint;
  readonly link: Buffer;
}

export interface OpenBlock extends Signed {
  readonly type: 'open';
  readonly source: Buffer;
  readonly representative: Buffer;
  readonly account: Buffer;
}

export interface SendBlock extends Signed {
  readonly type: 'send';
  readonly previous: Buffer;
  readonly destination: Buffer;
  readonly balance: bigint;
}

export interface ReceiveBlock extends Signed {
  readonly type: 'receive';
  readonly previous: Buffer;
  readonly source: Buffer;
}

export interface ChangeBlock extends Signed {
  readonly type: 'change';
  readonly previous: Buffer;
  readonly representative: Buffer;
}

export type Block = StateBlock | OpenBlock | SendBlock | ReceiveBlock | ChangeBlock;

/** Node enum values (`block_type`), also used as the first byte of a stored block. */
export const BLOCK_TYPE_CODE: Readonly<Record<BlockType, number>> = {
  send: 2,
  receive: 3,
  open: 4,
  change: 5,
  state: 6,
};

/** What a block does to its account, as the node's sideband details / RPC `subtype` say it. */
export type BlockSubtype = 'send' | 'receive' | 'open' | 'change' | 'epoch';

export type Epoch = 0 | 1 | 2;
