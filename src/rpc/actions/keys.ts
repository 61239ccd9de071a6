import { randomBytes } from 'node:crypto';
import { toHex } from '../../ledger/bytes.js';
import { decodeAccount, encodeAccount } from '../../ledger/crypto/account.js';
import { derivePublicKey } from '../../ledger/crypto/ed25519.js';
import { defineAction, noParams, requireFields } from '../action.js';
import type { RpcResult } from '../encode.js';
import { hex32, requiredText } from '../params.js';

function keyPair(privateKey: Buffer): RpcResult {
  const publicKey = derivePublicKey(privateKey);
  return { private: toHex(privateKey), public: toHex(publicKey), account: encodeAccount(publicKey) };
}

/**
 * An invalid account is an answer ("0"), not an error. As the node's account_impl does, a valid
 * `nano-`/`xrb-` spelling also adds "deprecated_account_format" (before "valid", in the node's order).
 */
export const validate_account_number = defineAction<{ account: unknown }>({
  params: requireFields('account'),
  control: false,
  handler: (params): RpcResult => {
    const decoded = decodeAccount(requiredText(params.account));
    if (decoded === undefined) return { valid: '0' };
    return decoded.deprecatedFormat ? { deprecated_account_format: '1', valid: '1' } : { valid: '1' };
  },
});

export const key_create = defineAction({
  params: noParams,
  control: false,
  handler: () => keyPair(randomBytes(32)),
});

/** The key is read as the node's raw_key decode_hex: up to 64 hex digits, left-padded. */
export const key_expand = defineAction<{ key: unknown }>({
  params: requireFields('key'),
  control: false,
  handler: (params) => keyPair(hex32(requiredText(params.key), 'bad_private_key')),
});
