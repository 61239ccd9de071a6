import { blake2b } from './blake2b.js';
import { sodium } from './sodium.js';

// Nano signs with Ed25519 where every SHA-512 is replaced by blake2b-512 (ed25519-donna built with a
// custom hash). libsodium only offers SHA-512 Ed25519, so signing and verifying are composed here from
// its group and scalar primitives.

/** Group order L, little-endian, for the canonical-S check. */
const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');
const L_INT = 2n ** 252n + 27742317777372353535851937790883648493n;
const IDENTITY = Buffer.concat([Buffer.of(1), Buffer.alloc(31)]);

function leToBigint(bytes: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(bytes).reverse().toString('hex'));
}

function leToBytes32(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex').reverse();
}

function reduce64(wide: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(32);
  sodium.crypto_core_ed25519_scalar_reduce(out, wide);
  return out;
}

function expand(privateKey: Uint8Array): { scalar: Buffer; prefix: Buffer } {
  if (privateKey.length !== 32) throw new RangeError('private key must be 32 bytes');
  const h = blake2b(64, privateKey);
  const a = Buffer.alloc(64);
  h.copy(a, 0, 0, 32);
  a[0]! &= 248;
  a[31]! &= 127;
  a[31]! |= 64;
  return { scalar: reduce64(a), prefix: h.subarray(32) };
}

export function derivePublicKey(privateKey: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(32);
  sodium.crypto_scalarmult_ed25519_base_noclamp(out, expand(privateKey).scalar);
  return out;
}

/** Deterministic signature (RFC 8032 shape) over `message`, normally a 32-byte block hash. */
export function sign(privateKey: Uint8Array, message: Uint8Array): Buffer {
  const { scalar, prefix } = expand(privateKey);
  const publicKey = Buffer.allocUnsafe(32);
  sodium.crypto_scalarmult_ed25519_base_noclamp(publicKey, scalar);
  const r = reduce64(blake2b(64, prefix, message));
  const R = Buffer.allocUnsafe(32);
  sodium.crypto_scalarmult_ed25519_base_noclamp(R, r);
  const h = reduce64(blake2b(64, R, publicKey, message));
  // The binding has no scalar multiplication; signing is rare (tests, key tools), so bigint is fine.
  const S = leToBytes32((leToBigint(r) + leToBigint(h) * leToBigint(scalar)) % L_INT);
  return Buffer.concat([R, S]);
}

/** S < L, compared as little-endian integers. */
function isCanonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! < L[i]!) return true;
    if (s[i]! > L[i]!) return false;
  }
  return false;
}

const scratchHA = Buffer.allocUnsafe(32);
const scratchSB = Buffer.allocUnsafe(32);
const scratchR = Buffer.allocUnsafe(32);

/**
 * Checks [S]B == R + [h]A by computing R' = [S]B − [h]A and comparing its canonical encoding with R,
 * which also rejects non-canonical R. A must be canonical, of prime order and not small order: the
 * libsodium noclamp multiplication enforces that and throws otherwise, which counts as invalid.
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const R = signature.subarray(0, 32);
  const S = signature.subarray(32, 64);
  if (!isCanonicalScalar(S)) return false;
  if (IDENTITY.equals(R)) return false;
  try {
    const h = reduce64(blake2b(64, R, publicKey, message));
    sodium.crypto_scalarmult_ed25519_noclamp(scratchHA, h, publicKey);
    sodium.crypto_scalarmult_ed25519_base_noclamp(scratchSB, S);
    sodium.crypto_core_ed25519_sub(scratchR, scratchSB, scratchHA);
  } catch {
    return false;
  }
  return scratchR.equals(R);
}
