// OpenSSL's subject-name hashes, as used to name files in a hashed trust
// directory (`openssl rehash`, `-CApath`). The new-style hash must match
// X509_NAME_hash_ex byte for byte, so the canonical form below follows
// crypto/x509/x_name.c (x509_name_canon, asn1_string_canon) exactly,
// including its quirks: only ASCII is case-folded and only ASCII whitespace
// is collapsed.

import { createHash } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { CERTIFICATE_LABELS, readPem } from './pem.js';
import { UniversalTag, certificateNames, readElement, readName, type DerElement, type NameAttribute } from './der-reader.js';

/** `openssl x509 -noout -subject_hash`: SHA-1 over the canonical subject. */
export function subjectHash(certDer: Uint8Array): string {
  return nameHash(canonicalName(readName(certificateNames(certDer).subject)), 'sha1');
}

/** `openssl x509 -noout -subject_hash_old`: MD5 over the subject's DER as stored. */
export function subjectHashOld(certDer: Uint8Array): string {
  return nameHash(certificateNames(certDer).subject.bytes, 'md5');
}

/**
 * OpenSSL's canonical encoding of a Name: each RDN re-encoded as a DER SET of
 * canonical AttributeTypeAndValues, concatenated without the outer SEQUENCE.
 */
export function canonicalName(rdns: NameAttribute[][]): Buffer {
  const sets: Buffer[] = [];
  for (const rdn of rdns) {
    // OpenSSL skips an RDN with no attributes: it never opens a set for it.
    if (rdn.length === 0) continue;
    const entries = rdn.map((atv) => tlv(0x30, Buffer.concat([atv.type.bytes, canonicalValue(atv.value)])));
    // DER SET OF orders its members by their encodings (OpenSSL's der_cmp).
    entries.sort(derCompare);
    sets.push(tlv(0x31, Buffer.concat(entries)));
  }
  return Buffer.concat(sets);
}

/** The last commonName of the subject (the most specific one), or undefined. */
export function subjectCommonName(certDer: Uint8Array): string | undefined {
  const COMMON_NAME = '2.5.4.3';
  let found: DerElement | undefined;
  for (const rdn of readName(certificateNames(certDer).subject)) {
    for (const atv of rdn) if (atv.oid === COMMON_NAME) found = atv.value;
  }
  if (found === undefined) return undefined;
  try {
    return codePointsToString(directoryStringCodePoints(found));
  } catch {
    return undefined;
  }
}

/**
 * Every certificate's DER from PEM text (CERTIFICATE, X509 CERTIFICATE and
 * TRUSTED CERTIFICATE blocks, as OpenSSL's PEM_read_bio_X509_AUX accepts), or
 * the certificate itself when given DER bytes. Throws on a malformed block.
 */
export function certificatesFromPem(input: string | Uint8Array): Buffer[] {
  if (typeof input !== 'string') {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (bytes.includes('-----BEGIN ')) return certificatesFromPem(bytes.toString('latin1'));
    return [Buffer.from(readElement(bytes).bytes)];
  }
  return readPem(input, { labels: CERTIFICATE_LABELS }).map((block) => {
    if (block.problem !== undefined) throw new Error(`PEM: the ${block.label} block ${block.problem}`);
    // TRUSTED CERTIFICATE appends OpenSSL's trust settings after the certificate.
    return Buffer.from(readElement(block.der).bytes);
  });
}

function nameHash(data: Uint8Array, algorithm: 'sha1' | 'md5'): string {
  return createHash(algorithm).update(data).digest().readUInt32LE(0).toString(16).padStart(8, '0');
}

// ASN1_MASK_CANON: the string types OpenSSL converts to UTF-8 and folds.
const CANON_TYPES = new Set<number>([
  UniversalTag.UTF8String,
  UniversalTag.BMPString,
  UniversalTag.UniversalString,
  UniversalTag.PrintableString,
  UniversalTag.T61String,
  UniversalTag.IA5String,
  UniversalTag.VisibleString,
]);

// Universal tags whose ASN1_tag2bit is in B_ASN1_PRINTABLE, the only value
// types OpenSSL's X509_NAME_ENTRY decoder accepts. VisibleString is not among
// them, so its place in ASN1_MASK_CANON above never comes into play.
const NAME_VALUE_TYPES = new Set<number>([3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 22, 28, 29, 30]);

function canonicalValue(value: DerElement): Buffer {
  // OpenSSL could not load such a certificate at all, so it has no hash.
  if (value.tagClass !== 'universal' || !NAME_VALUE_TYPES.has(value.tagNumber)) {
    throw new Error(`subject attribute value of ${value.tagClass} tag ${value.tagNumber} is not a type OpenSSL accepts in a Name`);
  }
  if (value.constructed !== (value.tagNumber === UniversalTag.Sequence)) {
    throw new Error(`subject attribute value of tag ${value.tagNumber} has the wrong primitive/constructed form`);
  }
  if (!CANON_TYPES.has(value.tagNumber)) {
    // Copied across with its own tag; the reader already insists on DER, so
    // the stored bytes are what OpenSSL's re-encoding would produce.
    return Buffer.from(value.bytes);
  }
  return tlv(UniversalTag.UTF8String, foldAscii(toUtf8(value)));
}

function toUtf8(value: DerElement): Buffer {
  if (value.tagNumber === UniversalTag.UTF8String) {
    // ASN1_STRING_to_UTF8 validates UTF-8; a bad string makes the hash fail.
    new TextDecoder('utf-8', { fatal: true }).decode(value.content);
    return Buffer.from(value.content);
  }
  return Buffer.from(codePointsToString(directoryStringCodePoints(value)), 'utf8');
}

function codePointsToString(codePoints: number[]): string {
  let s = '';
  for (const cp of codePoints) s += String.fromCodePoint(cp);
  return s;
}

/** Code points of a string value, rejecting what OpenSSL's conversion rejects. */
function directoryStringCodePoints(value: DerElement): number[] {
  const c = value.content;
  const checked = (cp: number): number => {
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new Error(`string value holds an invalid code point U+${cp.toString(16).toUpperCase()}`);
    }
    return cp;
  };
  switch (value.tagNumber) {
    case UniversalTag.UTF8String:
      return [...new TextDecoder('utf-8', { fatal: true }).decode(c)].map((ch) => ch.codePointAt(0)!);
    case UniversalTag.BMPString: {
      if (c.length % 2 !== 0) throw new Error('BMPString has an odd length');
      const out: number[] = [];
      // Each 16-bit unit is one character; OpenSSL does not pair surrogates.
      for (let i = 0; i < c.length; i += 2) out.push(checked((c[i]! << 8) | c[i + 1]!));
      return out;
    }
    case UniversalTag.UniversalString: {
      if (c.length % 4 !== 0) throw new Error('UniversalString length is not a multiple of 4');
      const out: number[] = [];
      for (let i = 0; i < c.length; i += 4) {
        out.push(checked(((c[i]! << 24) >>> 0) + (c[i + 1]! << 16) + (c[i + 2]! << 8) + c[i + 3]!));
      }
      return out;
    }
    default:
      // One-byte string types (T61String included) are read as Latin-1.
      return Array.from(c);
  }
}

const isSpace = (b: number): boolean => b === 0x20 || (b >= 0x09 && b <= 0x0d);

/** asn1_string_canon on UTF-8 bytes. */
function foldAscii(utf8: Buffer): Buffer {
  let start = 0;
  let end = utf8.length;
  while (start < end && isSpace(utf8[start]!)) start++;
  while (end > start && isSpace(utf8[end - 1]!)) end--;
  const out: number[] = [];
  for (let i = start; i < end;) {
    const b = utf8[i]!;
    if (b >= 0x80) {
      out.push(b);
      i++;
    } else if (isSpace(b)) {
      out.push(0x20);
      while (isSpace(utf8[i]!)) i++;
    } else {
      out.push(b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
      i++;
    }
  }
  return Buffer.from(out);
}

function tlv(identifier: number, content: Uint8Array): Buffer {
  const n = content.length;
  let length: number[];
  if (n < 0x80) {
    length = [n];
  } else {
    const octets: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
    length = [0x80 | octets.length, ...octets];
  }
  return Buffer.concat([Buffer.from([identifier, ...length]), content]);
}

// OpenSSL's der_cmp: bytewise over the common prefix, then the shorter first.
function derCompare(a: Buffer, b: Buffer): number {
  const common = Math.min(a.length, b.length);
  const c = Buffer.compare(a.subarray(0, common), b.subarray(0, common));
  return c !== 0 ? c : a.length - b.length;
}
