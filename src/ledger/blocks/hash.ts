import { blake2b256 } from '../crypto/blake2b.js';
import { u128ToBytes } from '../bytes.js';
import type { Block } from './types.js';

// State blocks are hashed with a 32-byte preamble holding the type code (6); legacy blocks without one.
const STATE_PREAMBLE = Buffer.alloc(32);
STATE_PREAMBLE[31] = 6;

export function hashBlock(block: Block): Buffer {
  switch (block.type) {
    case 'state':
      return blake2b256(STATE_PREAMBLE, block.account, block.previous, block.representative, u128ToBytes(block.balance), block.link);
    case 'open':
      return blake2b256(block.source, block.representative, block.account);
    case 'send':
      return blake2b256(block.previous, block.destination, u128ToBytes(block.balance));
    case 'receive':
      return blake2b256(block.previous, block.source);
    case 'change':
      return blake2b256(block.previous, block.representative);
  }
}
