import type { KeyObject } from 'node:crypto';
import { generateKeyPair, privateKeyPem, type KeyType } from '../src/pki/keys.js';
import { issueCertificate, type LeafPurpose } from '../src/pki/x509.js';

export interface BenchIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  readonly privateKey: KeyObject;
}

/** Everything the bench needs: a local CA, a client certificate, and one server certificate per key type. */
export interface BenchPki {
  readonly ca: BenchIdentity;
  readonly client: BenchIdentity;
  readonly servers: Readonly<Record<KeyType, BenchIdentity>>;
}

async function issue(
  commonName: string,
  keyType: KeyType,
  issuer: BenchIdentity | 'self',
  extra: { isCA?: boolean; purposes?: LeafPurpose[]; subjectAltNames?: string[] },
): Promise<BenchIdentity> {
  const keys = await generateKeyPair(keyType);
  const certPem = issueCertificate({
    subject: [
      ['CN', commonName],
      ['O', 'nano-secure-rpc bench'],
    ],
    publicKey: keys.publicKey,
    issuer: issuer === 'self' ? 'self' : { certPem: issuer.certPem, privateKey: issuer.privateKey },
    privateKey: keys.privateKey,
    days: 2,
    ...extra,
  });
  return { certPem, keyPem: privateKeyPem(keys.privateKey), privateKey: keys.privateKey };
}

/** Made fresh at every bench start with the project's own PKI code. */
export async function makeBenchPki(): Promise<BenchPki> {
  const ca = await issue('bench local CA', 'ec-p256', 'self', { isCA: true });
  const client = await issue('bench.client', 'ec-p256', ca, { purposes: ['client'] });
  const server = (keyType: KeyType): Promise<BenchIdentity> =>
    issue('localhost', keyType, ca, { purposes: ['server'], subjectAltNames: ['localhost', '127.0.0.1', '::1'] });
  return { ca, client, servers: { 'ec-p256': await server('ec-p256'), 'rsa-2048': await server('rsa-2048') } };
}
