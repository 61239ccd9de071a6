import type { OpenBlock } from './blocks/types.js';
import { MAX_U128 } from './bytes.js';

// nano-node nano/secure/common.cpp, dev network (nano-rpc.md §5.2). The key is public on purpose:
// it also signs dev epoch blocks.
const DEV_GENESIS_KEY_HEX = 'B0311EA55708D6A53C75CDBF88300259C6D018522FE3D4D0A242E431F9E8B6D0';

export const DEV_GENESIS_ACCOUNT: Buffer = Buffer.from(DEV_GENESIS_KEY_HEX, 'hex');

export const DEV_GENESIS_BLOCK: OpenBlock = {
  type: 'open',
  source: DEV_GENESIS_ACCOUNT,
  representative: DEV_GENESIS_ACCOUNT,
  account: DEV_GENESIS_ACCOUNT,
  work: 0x7b42a00ee91d5810n,
  signature: Buffer.from(
    'ECDA914373A2F0CA1296475BAEE40500A7F0A7AD72A5A80C81D7FAB7F6C802B2CC7DB50F5DD0FB25B2EF11761FA7344A158DD5A700B21BD47DE5BD0F63153A02',
    'hex',
  ),
};

export const GENESIS_AMOUNT: bigint = MAX_U128;

/** Dev epoch v1/v2 blocks are signed by the genesis key. */
export const DEV_EPOCH_SIGNER: Buffer = DEV_GENESIS_ACCOUNT;
