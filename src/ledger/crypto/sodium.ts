import { createRequire } from 'node:module';

// sodium-native ships no type declarations; this typed view lists only what the ledger calls,
// so a signature change in the package shows up here and nowhere else.
export interface SodiumSubset {
  crypto_generichash(output: Uint8Array, input: Uint8Array, key?: Uint8Array): void;
  crypto_generichash_init(state: Uint8Array, key: Uint8Array | null, outputLength: number): void;
  crypto_generichash_update(state: Uint8Array, input: Uint8Array): void;
  crypto_generichash_final(state: Uint8Array, output: Uint8Array): void;
  readonly crypto_generichash_STATEBYTES: number;
  crypto_core_ed25519_scalar_reduce(r: Uint8Array, s: Uint8Array): void;
  crypto_scalarmult_ed25519_base_noclamp(q: Uint8Array, n: Uint8Array): void;
  crypto_scalarmult_ed25519_noclamp(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_core_ed25519_sub(r: Uint8Array, p: Uint8Array, q: Uint8Array): void;
  crypto_core_ed25519_is_valid_point(p: Uint8Array): boolean;
}

const require = createRequire(import.meta.url);

export const sodium = require('sodium-native') as SodiumSubset;
