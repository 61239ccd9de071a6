import { bytesToU128, u128ToBytes } from '../bytes.js';
import { BLOCK_TYPE_CODE } from './types.js';
import type { Block } from './types.js';

// Stored form: type code byte, the hashed fields in hash order, signature (64), work (8, big-endian).
// Fixed layouts per type keep decoding branch-free after the first byte.

function tail(block: Block): Buffer[] {
  const work = Buffer.allocUnsafe(8);
  work.writeBigUInt64BE(block.work, 0);
  return [block.signature, work];
}

export function encodeBlock(block: Block): Buffer {
  const code = Buffer.of(BLOCK_TYPE_CODE[block.type]);
  switch (block.type) {
    case 'state':
      return Buffer.concat([code, block.account, block.previous, block.representative, u128ToBytes(block.balance), block.link, ...tail(block)]);
    case 'open':
      return Buffer.concat([code, block.source, block.representative, block.account, ...tail(block)]);
    case 'send':
      return Buffer.concat([code, block.previous, block.destination, u128ToBytes(block.balance), ...tail(block)]);
    case 'receive':
      return Buffer.concat([code, block.previous, block.source, ...tail(block)]);
    case 'change':
      return Buffer.concat([code, block.previous, block.representative, ...tail(block)]);
  }
}

const SIZES: Readonly<Record<number, number>> = {
  2: 1 + 32 + 32 + 16 + 72,
  3: 1 + 32 + 32 + 72,
  4: 1 + 32 + 32 + 32 + 72,
  5: 1 + 32 + 32 + 72,
  6: 1 + 32 + 32 + 32 + 16 + 32 + 72,
};

/** Decodes a stored block; the buffer is copied so the result never aliases LMDB memory. */
export function decodeBlock(input: Uint8Array): Block {
  const buf = Buffer.from(input);
  const code = buf[0];
  if (code === undefined || SIZES[code] !== buf.length) throw new Error('corrupt stored block');
  const field = (offset: number): Buffer => buf.subarray(offset, offset + 32);
  const end = buf.length;
  const signature = buf.subarray(end - 72, end - 8);
  const work = buf.readBigUInt64BE(end - 8);
  switch (code) {
    case 2:
      return { type: 'send', previous: field(1), destination: field(33), balance: bytesToU128(buf, 65), signature, work };
    case 3:
      return { type: 'receive', previous: field(1), source: field(33), signature, work };
    case 4:
      return { type: 'open', source: field(1), representative: field(33), account: field(65), signature, work };
    case 5:
      return { type: 'change', previous: field(1), representative: field(33), signature, work };
    default:
      return {
        type: 'state',
        account: field(1),
        previous: field(33),
        representative: field(65),
        balance: bytesToU128(buf, 97),
        link: field(113),
        signature,
        work,
      };
  }
}
