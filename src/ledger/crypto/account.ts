import { blake2b } from './blake2b.js';

// Nano's base32 alphabet (no 0, 2, l, v).
const ALPHABET = '13456789abcdefghijkmnopqrstuwxyz';
const REVERSE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) REVERSE[ALPHABET.charCodeAt(i)] = i;

export type AccountPrefix = 'nano_' | 'xrb_';

function checksum(publicKey: Uint8Array): Buffer {
  return blake2b(5, publicKey).reverse();
}

/**
 * Base32 of `bytes` read as one big-endian bit string, left-padded with zero bits to a whole
 * number of 5-bit digits: 32 key bytes (256 bits) → 52 digits, 5 checksum bytes → 8 digits.
 * Bit arithmetic on small numbers: this runs for every account in every answer.
 */
function encodeBase32(bytes: Uint8Array, digits: number): string {
  let out = '';
  let buffer = 0;
  let bits = digits * 5 - bytes.length * 8;
  let index = 0;
  while (out.length < digits) {
    while (bits < 5) {
      buffer = ((buffer << 8) | bytes[index++]!) & 0xfff;
      bits += 8;
    }
    bits -= 5;
    out += ALPHABET[(buffer >> bits) & 31];
  }
  return out;
}

export function encodeAccount(publicKey: Uint8Array, prefix: AccountPrefix = 'nano_'): string {
  if (publicKey.length !== 32) throw new RangeError('public key must be 32 bytes');
  return prefix + encodeBase32(publicKey, 52) + encodeBase32(checksum(publicKey), 8);
}

export interface DecodedAccount {
  readonly publicKey: Buffer;
  /** True for the `xrb-`/`nano-` spelling, which the node accepts but flags as deprecated. */
  readonly deprecatedFormat: boolean;
}

/**
 * Decodes `nano_`/`xrb_` (and `nano-`/`xrb-`, `node_`) account strings as the node does:
 * exact length, first digit 1 or 3, lower-case alphabet, matching checksum. Undefined when invalid.
 */
export function decodeAccount(text: string): DecodedAccount | undefined {
  let bodyStart: number;
  let deprecatedFormat = false;
  if (text.startsWith('xrb_') || text.startsWith('xrb-')) {
    bodyStart = 4;
    deprecatedFormat = text[3] === '-';
  } else if (text.startsWith('nano_') || text.startsWith('nano-') || text.startsWith('node_')) {
    bodyStart = 5;
    deprecatedFormat = text[4] === '-';
  } else {
    return undefined;
  }
  if (text.length !== bodyStart + 60) return undefined;
  const first = text[bodyStart];
  if (first !== '1' && first !== '3') return undefined;
  // 60 digits = 300 bits: 4 zero bits, the 256-bit key, the 40-bit checksum.
  const bytes = Buffer.alloc(37);
  let buffer = 0;
  let bits = -4;
  let index = 0;
  for (let i = bodyStart; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? REVERSE[code]! : -1;
    if (digit < 0) return undefined;
    buffer = ((buffer << 5) | digit) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  const publicKey = bytes.subarray(0, 32);
  if (!checksum(publicKey).equals(bytes.subarray(32))) return undefined;
  return { publicKey, deprecatedFormat };
}
