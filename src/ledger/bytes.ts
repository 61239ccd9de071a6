// Fixed-width binary helpers shared by the store codecs and the block model.

export const ZERO32: Buffer = Buffer.alloc(32);

const HEX_RE = /^[0-9a-fA-F]*$/;

/** Upper-case hex, the form the node prints hashes and keys in. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
}

/** Strict hex of exactly `length` bytes; undefined when malformed (callers map that to their own error). */
export function parseHexExact(text: string, length: number): Buffer | undefined {
  if (text.length !== length * 2 || !HEX_RE.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}

export function u128ToBytes(value: bigint): Buffer {
  if (value < 0n || value >= 1n << 128n) throw new RangeError('amount out of 128-bit range');
  const out = Buffer.allocUnsafe(16);
  out.writeBigUInt64BE(value >> 64n, 0);
  out.writeBigUInt64BE(value & 0xffffffffffffffffn, 8);
  return out;
}

export function bytesToU128(bytes: Uint8Array, offset = 0): bigint {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (view.readBigUInt64BE(offset) << 64n) | view.readBigUInt64BE(offset + 8);
}

export function isZero(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0) return false;
  return true;
}

export const MAX_U128 = (1n << 128n) - 1n;
