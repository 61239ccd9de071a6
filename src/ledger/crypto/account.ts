import { blake2b } from './blake2b.js';

// Nano's base32 alphabet (no 0, 2, l, v).
const ALPHABET = '13456789abcdefghijkmnopqrstuwxyz';
const REVERSE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) REVERSE[ALPHABET.charCodeAt(i)] = i;

export type AccountPrefix = 'nano_' | 'xrb_';

function checksum(publicKey: Uint8Array): Buffer {
  return blake2b(5, publicKey).reverse();
}

/** Encodes `bits` (a big-endian bit string held in a bigint) as `chars` base32 digits. */
function encodeBase32(value: bigint, chars: number): string {
  let out = '';
  for (let i = chars - 1; i >= 0; i--) out += ALPHABET[Number((value >> BigInt(i * 5)) & 31n)];
  return out;
}

function bytesToBigint(bytes: Uint8Array): bigint {
  return BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
}

export function encodeAccount(publicKey: Uint8Array, prefix: AccountPrefix = 'nano_'): string {
  if (publicKey.length !== 32) throw new RangeError('public key must be 32 bytes');
  return prefix + encodeBase32(bytesToBigint(publicKey), 52) + encodeBase32(bytesToBigint(checksum(publicKey)), 8);
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
  let value = 0n;
  for (let i = bodyStart; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? REVERSE[code]! : -1;
    if (digit < 0) return undefined;
    value = (value << 5n) | BigInt(digit);
  }
  const check = value & 0xffffffffffn;
  const publicKey = Buffer.from((value >> 40n).toString(16).padStart(64, '0'), 'hex');
  if (bytesToBigint(checksum(publicKey)) !== check) return undefined;
  return { publicKey, deprecatedFormat };
}
