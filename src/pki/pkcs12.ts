import { createHash, createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import { derBmpString, derExplicit, derInteger, derNull, derOctetString, derOid, derSequence, derSet } from './der-writer.js';
import { encryptPrivateKeyDer } from './keys.js';
import { pemDecodeAll } from './pem.js';

export interface Pkcs12Options {
  certPem: string;
  /** Unencrypted private key PEM; it is re-encrypted under `passphrase` inside the file. */
  keyPem: string;
  caPems?: readonly string[];
  passphrase: string;
  friendlyName: string;
  /** MAC iterations; 2048 is what openssl writes by default. */
  macIterations?: number;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  certBag: '1.2.840.113549.1.12.10.1.3',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

const SHA256_U = 32;
const SHA256_V = 64;

/** RFC 7292 appendix B.2 key derivation with SHA-256 (u = 32, v = 64). */
export function pkcs12Kdf(passphrase: string, salt: Uint8Array, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  // The password is a NUL-terminated BMPString (UTF-16BE).
  const password = Buffer.alloc((passphrase.length + 1) * 2);
  for (let i = 0; i < passphrase.length; i++) password.writeUInt16BE(passphrase.charCodeAt(i), i * 2);
  const fill = (src: Uint8Array): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(SHA256_V * Math.ceil(src.length / SHA256_V));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length] as number;
    return out;
  };
  const D = Buffer.alloc(SHA256_V, id);
  const I = Buffer.concat([fill(salt), fill(password)]);
  const blocks: Buffer[] = [];
  for (let produced = 0; produced < length; produced += SHA256_U) {
    let A = createHash('sha256').update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
    blocks.push(A);
    const B = fill(A);
    for (let j = 0; j < I.length; j += SHA256_V) {
      // I_j = (I_j + B + 1) mod 2^(8v), big-endian.
      let carry = 1;
      for (let k = SHA256_V - 1; k >= 0; k--) {
        const sum = (I[j + k] as number) + (B[k] as number) + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function attribute(oid: string, value: Buffer): Buffer {
  return derSequence(derOid(oid), derSet(value));
}

function safeBag(bagOid: string, value: Buffer, attributes: Buffer[]): Buffer {
  const parts = [derOid(bagOid), derExplicit(0, value)];
  if (attributes.length > 0) parts.push(derSet(...attributes));
  return derSequence(...parts);
}

function certBag(certDer: Buffer, attributes: Buffer[]): Buffer {
  return safeBag(OID.certBag, derSequence(derOid(OID.x509Certificate), derExplicit(0, derOctetString(certDer))), attributes);
}

function dataContentInfo(content: Buffer): Buffer {
  return derSequence(derOid(OID.data), derExplicit(0, derOctetString(content)));
}

function singleCert(pem: string, what: string): Buffer {
  const [der] = pemDecodeAll(pem, 'CERTIFICATE');
  if (!der) throw new Error(`${what} holds no certificate`);
  return der;
}

/** PKCS#12 (PFX v3) with the certificate chain in plain `data` and the key in a PBES2 shrouded key bag, HMAC-SHA256 MAC. */
export function buildPkcs12(opts: Pkcs12Options): Buffer {
  const certDer = singleCert(opts.certPem, 'certPem');
  const key = createPrivateKey(opts.keyPem);
  // Same localKeyId convention as openssl: SHA-1 of the certificate.
  const localKeyId = attribute(OID.localKeyId, derOctetString(createHash('sha1').update(certDer).digest()));
  const friendlyName = attribute(OID.friendlyName, derBmpString(opts.friendlyName));

  const certBags = [certBag(certDer, [friendlyName, localKeyId])];
  for (const [i, caPem] of (opts.caPems ?? []).entries()) certBags.push(certBag(singleCert(caPem, `caPems[${i}]`), []));
  const keyBag = safeBag(OID.pkcs8ShroudedKeyBag, encryptPrivateKeyDer(key, opts.passphrase), [friendlyName, localKeyId]);

  const authenticatedSafe = derSequence(dataContentInfo(derSequence(...certBags)), dataContentInfo(derSequence(keyBag)));

  const iterations = opts.macIterations ?? 2048;
  const salt = randomBytes(16);
  const macKey = pkcs12Kdf(opts.passphrase, salt, 3, iterations, SHA256_U);
  const mac = createHmac('sha256', macKey).update(authenticatedSafe).digest();
  const macData = derSequence(derSequence(derSequence(derOid(OID.sha256), derNull()), derOctetString(mac)), derOctetString(salt), derInteger(iterations));
  return derSequence(derInteger(3), dataContentInfo(authenticatedSafe), macData);
}
