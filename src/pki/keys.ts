import { generateKeyPair as generateKeyPairCb } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

export type KeyType = 'ec-p256' | 'rsa-2048';

export interface KeyPair {
  type: KeyType;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const generate = promisify(generateKeyPairCb);

export async function generateKeyPair(type: KeyType): Promise<KeyPair> {
  if (type === 'ec-p256') {
    const { publicKey, privateKey } = await generate('ec', { namedCurve: 'prime256v1' });
    return { type, publicKey, privateKey };
  }
  if (type === 'rsa-2048') {
    const { publicKey, privateKey } = await generate('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    return { type, publicKey, privateKey };
  }
  throw new Error(`unsupported key type ${String(type)}`);
}

export function isKeyType(value: string): value is KeyType {
  return value === 'ec-p256' || value === 'rsa-2048';
}

/** Key type of an existing key, so a certificate's signature algorithm follows its issuer's key. */
export function keyTypeOf(key: KeyObject): KeyType {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve !== 'prime256v1') throw new Error(`unsupported EC curve ${String(curve)}`);
    return 'ec-p256';
  }
  if (key.asymmetricKeyType === 'rsa') return 'rsa-2048';
  throw new Error(`unsupported key type ${String(key.asymmetricKeyType)}`);
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** Encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC), readable by openssl and node's tls. */
export function encryptPrivateKeyPem(key: KeyObject, passphrase: string): string {
  if (passphrase.length === 0) throw new Error('an empty passphrase would not protect the key');
  return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

export function encryptPrivateKeyDer(key: KeyObject, passphrase: string): Buffer {
  return key.export({ type: 'pkcs8', format: 'der', cipher: 'aes-256-cbc', passphrase });
}
