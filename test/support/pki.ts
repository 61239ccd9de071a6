import { X509Certificate, type KeyObject } from 'node:crypto';
import { generateKeyPair, privateKeyPem, type KeyType } from '../../src/pki/keys.js';
import { issueCertificate, type LeafPurpose } from '../../src/pki/x509.js';

/** A certificate and its key, made at test time by the project's own PKI code. */
export interface Identity {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: X509Certificate;
  readonly privateKey: KeyObject;
}

interface IdentityOptions {
  readonly keyType?: KeyType;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly subjectAltNames?: readonly string[];
}

async function make(commonName: string, issuer: Identity | 'self', extra: { isCA?: boolean; purposes?: LeafPurpose[] } & IdentityOptions): Promise<Identity> {
  const keys = await generateKeyPair(extra.keyType ?? 'ec-p256');
  const certPem = issueCertificate({
    subject: [['CN', commonName]],
    publicKey: keys.publicKey,
    issuer: issuer === 'self' ? 'self' : { certPem: issuer.certPem, privateKey: issuer.privateKey },
    privateKey: keys.privateKey,
    isCA: extra.isCA,
    purposes: extra.purposes,
    notBefore: extra.notBefore,
    notAfter: extra.notAfter,
    subjectAltNames: extra.subjectAltNames,
    days: 2,
  });
  return { certPem, keyPem: privateKeyPem(keys.privateKey), cert: new X509Certificate(certPem), privateKey: keys.privateKey };
}

export const makeCa = (commonName: string, options: IdentityOptions = {}): Promise<Identity> => make(commonName, 'self', { ...options, isCA: true });

export const makeServer = (issuer: Identity, options: IdentityOptions = {}): Promise<Identity> =>
  make('localhost', issuer, { subjectAltNames: ['localhost', '127.0.0.1', '::1'], ...options, purposes: ['server'] });

export const makeClient = (commonName: string, issuer: Identity | 'self', options: IdentityOptions = {}): Promise<Identity> =>
  make(commonName, issuer, { ...options, purposes: ['client'] });
