import { sodium } from './sodium.js';

const stateBuffer = Buffer.allocUnsafe(sodium.crypto_generichash_STATEBYTES);

/** blake2b with the given digest length over the concatenation of `parts` (no copy of the parts). */
export function blake2b(outLength: number, ...parts: Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(outLength);
  // The one-shot binding refuses digests under 16 bytes (account checksum: 5, work: 8); the streaming
  // API accepts 1..64 as blake2b itself does.
  if (parts.length === 1 && outLength >= 16) {
    sodium.crypto_generichash(out, parts[0]!);
    return out;
  }
  const state = stateBuffer;
  sodium.crypto_generichash_init(state, null, outLength);
  for (const part of parts) sodium.crypto_generichash_update(state, part);
  sodium.crypto_generichash_final(state, out);
  return out;
}

export function blake2b256(...parts: Uint8Array[]): Buffer {
  return blake2b(32, ...parts);
}
