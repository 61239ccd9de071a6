import { createRequire } from 'node:module';
import { blake2b } from '../ledger/crypto/blake2b.js';

/**
 * The wallet's cryptography, and the only place that touches libsodium for it:
 * - the password key: Argon2id (crypto_pwhash, libsodium's "interactive" limits: 2 passes, 64 MiB),
 *   computed on libuv's thread pool so the event loop never waits for it;
 * - sealing: XSalsa20-Poly1305 (crypto_secretbox) with a random nonce, so a wrong key is detected
 *   by the authentication tag instead of a separate check value;
 * - the node's seed → key rule, blake2b-256(seed ‖ uint32 BE index).
 */

interface SodiumWallet {
  crypto_pwhash_async(out: Uint8Array, password: Uint8Array, salt: Uint8Array, ops: number, mem: number, alg: number): Promise<void>;
  readonly crypto_pwhash_ALG_ARGON2ID13: number;
  readonly crypto_pwhash_OPSLIMIT_INTERACTIVE: number;
  readonly crypto_pwhash_MEMLIMIT_INTERACTIVE: number;
  readonly crypto_pwhash_SALTBYTES: number;
  crypto_secretbox_easy(cipher: Uint8Array, message: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  crypto_secretbox_open_easy(message: Uint8Array, cipher: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;
  readonly crypto_secretbox_NONCEBYTES: number;
  readonly crypto_secretbox_MACBYTES: number;
  randombytes_buf(out: Uint8Array): void;
  sodium_memzero(buffer: Uint8Array): void;
}

const sodium = createRequire(import.meta.url)('sodium-native') as SodiumWallet;

export const SALT_BYTES = sodium.crypto_pwhash_SALTBYTES;

export interface KdfParams {
  readonly ops: number;
  readonly mem: number;
}

export const DEFAULT_KDF: KdfParams = { ops: sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE, mem: sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE };

export function randomBytes(length: number): Buffer {
  const out = Buffer.alloc(length);
  sodium.randombytes_buf(out);
  return out;
}

export async function passwordKey(password: string, salt: Uint8Array, params: KdfParams): Promise<Buffer> {
  const out = Buffer.alloc(32);
  const secret = Buffer.from(password, 'utf8');
  try {
    await sodium.crypto_pwhash_async(out, secret, salt, params.ops, params.mem, sodium.crypto_pwhash_ALG_ARGON2ID13);
  } finally {
    sodium.sodium_memzero(secret);
  }
  return out;
}

/** nonce ‖ ciphertext ‖ tag. */
export function seal(plain: Uint8Array, key: Uint8Array): Buffer {
  const nonce = randomBytes(sodium.crypto_secretbox_NONCEBYTES);
  const cipher = Buffer.alloc(plain.length + sodium.crypto_secretbox_MACBYTES);
  sodium.crypto_secretbox_easy(cipher, plain, nonce, key);
  return Buffer.concat([nonce, cipher]);
}

/** The plain bytes, or undefined when the key is wrong or the box was altered. */
export function open(sealed: Uint8Array, key: Uint8Array): Buffer | undefined {
  const nonceBytes = sodium.crypto_secretbox_NONCEBYTES;
  if (sealed.length < nonceBytes + sodium.crypto_secretbox_MACBYTES) return undefined;
  const plain = Buffer.alloc(sealed.length - nonceBytes - sodium.crypto_secretbox_MACBYTES);
  const ok = sodium.crypto_secretbox_open_easy(plain, sealed.subarray(nonceBytes), sealed.subarray(0, nonceBytes), key);
  return ok ? plain : undefined;
}

export function wipe(buffer: Uint8Array | undefined): void {
  if (buffer !== undefined) sodium.sodium_memzero(buffer);
}

/** The node's `deterministic_key`: blake2b-256(seed ‖ index as uint32 big-endian). */
export function deterministicKey(seed: Uint8Array, index: number): Buffer {
  const suffix = Buffer.alloc(4);
  suffix.writeUInt32BE(index >>> 0, 0);
  return blake2b(32, seed, suffix);
}
