import { hashBlock } from '../ledger/blocks/hash.js';
import type { StateBlock } from '../ledger/blocks/types.js';
import { sign } from '../ledger/crypto/ed25519.js';

/** A state block signed with `privateKey` (its hash, as the node signs). */
export function signState(privateKey: Buffer, fields: Omit<StateBlock, 'type' | 'signature'>): StateBlock {
  const unsigned: StateBlock = { type: 'state', ...fields, signature: Buffer.alloc(64) };
  return { ...unsigned, signature: sign(privateKey, hashBlock(unsigned)) };
}
