import { createHash, randomBytes, sign, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import {
  derBoolean,
  derContextPrimitive,
  derExplicit,
  derIa5String,
  derInteger,
  derNamedBits,
  derNull,
  derOctetString,
  derOid,
  derPrintableString,
  derSequence,
  derSet,
  derTime,
  derUtf8String,
  derBitString,
} from './der-writer.js';
import { certificateNames, expectUniversal, readChildren, readSingle, UniversalTag } from './der-reader.js';
import { keyTypeOf } from './keys.js';
import { pemDecodeAll, pemEncode } from './pem.js';

export type LeafPurpose = 'server' | 'client';

export type SubjectAttribute = 'CN' | 'O' | 'OU' | 'C' | 'ST' | 'L' | 'emailAddress';

export interface CertificateIssuer {
  certPem: string;
  privateKey: KeyObject;
}

export interface IssueCertificateOptions {
  /** Ordered RDNs, e.g. [['CN', 'rpc.user.1'], ['O', 'nano-secure-rpc development']]. */
  subject: ReadonlyArray<readonly [SubjectAttribute, string]>;
  publicKey: KeyObject;
  /** 'self' signs with `privateKey`; otherwise the CA certificate and its key. */
  issuer: 'self' | CertificateIssuer;
  /** Required when issuer is 'self'. */
  privateKey?: KeyObject;
  /** Positive serial; default 16 random bytes. */
  serial?: bigint;
  notBefore?: Date;
  notAfter?: Date;
  /** Validity from notBefore when notAfter is not given; default 365. */
  days?: number;
  isCA?: boolean;
  purposes?: readonly LeafPurpose[];
  /** dNSName or iPAddress (v4/v6) entries. */
  subjectAltNames?: readonly string[];
}

const OID = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  emailAddress: '1.2.840.113549.1.9.1',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function encodeName(rdns: IssueCertificateOptions['subject']): Buffer {
  if (rdns.length === 0) throw new Error('a certificate subject needs at least one attribute');
  return derSequence(
    ...rdns.map(([attr, value]) => {
      const oid = OID[attr];
      if (oid === undefined) throw new Error(`unsupported subject attribute ${String(attr)}`);
      if (value.length === 0) throw new Error(`empty subject attribute ${attr}`);
      let encoded: Buffer;
      if (attr === 'C') {
        if (!/^[A-Z]{2}$/.test(value)) throw new Error(`country must be two capital letters, got ${value}`);
        encoded = derPrintableString(value);
      } else if (attr === 'emailAddress') {
        encoded = derIa5String(value);
      } else {
        encoded = derUtf8String(value);
      }
      return derSet(derSequence(derOid(oid), encoded));
    }),
  );
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv6Bytes(ip: string): Buffer {
  let text = ip;
  const out = Buffer.alloc(16);
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    tail = ipv4Bytes(dotted[1] as string);
    text = text.slice(0, -(dotted[1] as string).length) + '0:0';
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(rest === undefined ? 0 : zeros).fill('0'), ...restGroups];
  if (groups.length !== 8) throw new Error(`invalid IPv6 address ${ip}`);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  if (tail.length === 4) Buffer.from(tail).copy(out, 12);
  return out;
}

/** iPAddress SAN bytes: 4 for IPv4, 16 for IPv6. Returns undefined for a DNS name. */
export function ipAddressBytes(value: string): Buffer | undefined {
  const version = isIP(value);
  if (version === 4) return Buffer.from(ipv4Bytes(value));
  if (version === 6) return ipv6Bytes(value);
  return undefined;
}

function encodeSubjectAltNames(names: readonly string[]): Buffer {
  return derSequence(
    ...names.map((name) => {
      const ip = ipAddressBytes(name);
      if (ip) return derContextPrimitive(7, ip);
      if (!/^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(name)) throw new Error(`invalid DNS name ${name}`);
      return derContextPrimitive(2, Buffer.from(name, 'ascii'));
    }),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical ? derSequence(derOid(oid), derBoolean(true), derOctetString(value)) : derSequence(derOid(oid), derOctetString(value));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING contents. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = readChildren(readSingle(publicKey.export({ type: 'spki', format: 'der' })));
  const bitString = expectUniversal(spki[1], UniversalTag.BitString, 'subjectPublicKey BIT STRING');
  return createHash('sha1').update(bitString.content.subarray(1)).digest();
}

/** The issuer's subjectKeyIdentifier extension, so AKI matches whatever method the CA used. */
function subjectKeyIdOf(certDer: Uint8Array): Buffer | undefined {
  const tbs = readChildren(readSingle(certDer))[0];
  if (!tbs) return undefined;
  const wrapper = readChildren(tbs).find((f) => f.tagClass === 'context' && f.tagNumber === 3);
  const extensions = wrapper ? readChildren(wrapper)[0] : undefined;
  const skiOid = derOid(OID.subjectKeyIdentifier);
  for (const ext of extensions ? readChildren(extensions) : []) {
    const parts = readChildren(ext);
    const value = parts[parts.length - 1];
    if (parts[0] && value && Buffer.from(parts[0].bytes).equals(skiOid)) {
      return Buffer.from(readSingle(value.content).content);
    }
  }
  return undefined;
}

export function randomSerial(): bigint {
  const bytes = randomBytes(16);
  // Positive and non-zero leading byte keeps the encoded serial at a full 16 bytes.
  bytes[0] = ((bytes[0] as number) & 0x7f) | 0x01;
  return BigInt('0x' + bytes.toString('hex'));
}

function signatureAlgorithm(key: KeyObject): { algId: Buffer } {
  return keyTypeOf(key) === 'ec-p256' ? { algId: derSequence(derOid(OID.ecdsaWithSha256)) } : { algId: derSequence(derOid(OID.sha256WithRsa), derNull()) };
}

export function issueCertificate(opts: IssueCertificateOptions): string {
  let signingKey: KeyObject;
  let issuerName: Buffer;
  let authorityKeyId: Buffer;
  const subjectName = encodeName(opts.subject);
  const subjectKeyId = keyIdentifier(opts.publicKey);
  if (opts.issuer === 'self') {
    if (!opts.privateKey) throw new Error('a self-signed certificate needs privateKey');
    signingKey = opts.privateKey;
    issuerName = subjectName;
    authorityKeyId = subjectKeyId;
  } else {
    const [caDer] = pemDecodeAll(opts.issuer.certPem, 'CERTIFICATE');
    if (!caDer) throw new Error('issuer certPem holds no certificate');
    const ca = new X509Certificate(caDer);
    if (!ca.ca) throw new Error(`issuer ${ca.subject.replace(/\n/g, ', ')} is not a CA certificate`);
    if (!ca.checkPrivateKey(opts.issuer.privateKey)) throw new Error('issuer private key does not match its certificate');
    signingKey = opts.issuer.privateKey;
    // The CA's subject bytes exactly as encoded, so chain building matches byte for byte.
    issuerName = Buffer.from(certificateNames(caDer).subject.bytes);
    authorityKeyId = subjectKeyIdOf(caDer) ?? keyIdentifier(ca.publicKey);
  }

  const notBefore = opts.notBefore ?? new Date(Date.now() - HOUR_MS);
  const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + HOUR_MS + (opts.days ?? 365) * DAY_MS);
  if (notAfter.getTime() <= notBefore.getTime()) throw new Error('notAfter must be after notBefore');
  const serial = opts.serial ?? randomSerial();
  if (serial <= 0n) throw new Error('serial must be positive');

  const extensions: Buffer[] = [];
  const subjectIsRsa = keyTypeOf(opts.publicKey) === 'rsa-2048';
  if (opts.isCA) {
    extensions.push(extension(OID.basicConstraints, true, derSequence(derBoolean(true), derInteger(0))));
    extensions.push(extension(OID.keyUsage, true, derNamedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])));
  } else {
    extensions.push(extension(OID.basicConstraints, true, derSequence()));
    const usage: number[] = [KEY_USAGE.digitalSignature];
    // RSA key exchange (TLS 1.2 RSA suites) encrypts to the server key.
    if (subjectIsRsa) usage.push(KEY_USAGE.keyEncipherment);
    extensions.push(extension(OID.keyUsage, true, derNamedBits(usage)));
    const purposes = opts.purposes ?? [];
    if (purposes.length > 0) {
      const oids = purposes.map((p) => (p === 'server' ? OID.serverAuth : OID.clientAuth));
      extensions.push(extension(OID.extKeyUsage, false, derSequence(...oids.map(derOid))));
    }
  }
  if (opts.subjectAltNames && opts.subjectAltNames.length > 0) {
    extensions.push(extension(OID.subjectAltName, false, encodeSubjectAltNames(opts.subjectAltNames)));
  }
  extensions.push(extension(OID.subjectKeyIdentifier, false, derOctetString(subjectKeyId)));
  extensions.push(extension(OID.authorityKeyIdentifier, false, derSequence(derContextPrimitive(0, authorityKeyId))));

  const { algId } = signatureAlgorithm(signingKey);
  const tbs = derSequence(
    derExplicit(0, derInteger(2)),
    derInteger(serial),
    algId,
    issuerName,
    derSequence(derTime(notBefore), derTime(notAfter)),
    subjectName,
    opts.publicKey.export({ type: 'spki', format: 'der' }),
    derExplicit(3, derSequence(...extensions)),
  );
  const signature = sign('sha256', tbs, signingKey);
  return pemEncode('CERTIFICATE', derSequence(tbs, algId, derBitString(signature)));
}
