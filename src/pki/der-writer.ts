// Minimal DER encoder: just enough ASN.1 to build X.509 certificates, PKCS#12 files and DH params.
// Everything returns a complete TLV as a Buffer so callers compose by nesting.

const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  BMP_STRING: 0x1e,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function derBoolean(value: boolean): Buffer {
  return tlv(TAG.BOOLEAN, Buffer.from([value ? 0xff : 0x00]));
}

/** Two's-complement INTEGER; a Uint8Array is read as an unsigned big-endian magnitude. */
export function derInteger(value: bigint | number | Uint8Array): Buffer {
  if (value instanceof Uint8Array) {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    let body = Buffer.from(value.subarray(start));
    if (body.length === 0) body = Buffer.from([0]);
    if ((body[0] as number) & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
    return tlv(TAG.INTEGER, body);
  }
  let n = BigInt(value);
  if (n < 0n) throw new RangeError('negative INTEGER values are not needed here');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if ((bytes[0] as number) & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Buffer.from(bytes));
}

export function derNull(): Buffer {
  return Buffer.from([TAG.NULL, 0x00]);
}

export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((part) => {
    if (!/^\d+$/.test(part)) throw new Error(`invalid OID ${dotted}`);
    return BigInt(part);
  });
  if (arcs.length < 2) throw new Error(`invalid OID ${dotted}`);
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) group.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** BIT STRING with whole bytes (unusedBits = 0) unless told otherwise, e.g. for keyUsage. */
export function derBitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** Named-bit BIT STRING (bit 0 = most significant bit of the first byte), trailing zero bits dropped as DER requires. */
export function derNamedBits(bits: number[]): Buffer {
  if (bits.length === 0) return derBitString(Buffer.alloc(0));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  return derBitString(bytes, 7 - (highest & 7));
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return tlv(TAG.OCTET_STRING, bytes);
}

export function derUtf8String(text: string): Buffer {
  return tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function isPrintableString(text: string): boolean {
  return PRINTABLE.test(text);
}

export function derPrintableString(text: string): Buffer {
  if (!isPrintableString(text)) throw new Error(`not a PrintableString: ${JSON.stringify(text)}`);
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(text, 'latin1'));
}

export function derIa5String(text: string): Buffer {
  // eslint-disable-next-line no-control-regex -- IA5String is exactly the 7-bit range, control characters included.
  if (!/^[\x00-\x7f]*$/.test(text)) throw new Error(`not an IA5String: ${JSON.stringify(text)}`);
  return tlv(TAG.IA5_STRING, Buffer.from(text, 'latin1'));
}

/** BMPString (UTF-16BE), which PKCS#12 uses for friendlyName. */
export function derBmpString(text: string): Buffer {
  const body = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) body.writeUInt16BE(text.charCodeAt(i), i * 2);
  return tlv(TAG.BMP_STRING, body);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function checkDate(date: Date): void {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid date');
}

export function derUtcTime(date: Date): Buffer {
  checkDate(date);
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new RangeError('UTCTime covers 1950..2049 only');
  const text =
    pad(year % 100) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return tlv(TAG.UTC_TIME, Buffer.from(text, 'latin1'));
}

export function derGeneralizedTime(date: Date): Buffer {
  checkDate(date);
  const text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(text, 'latin1'));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
export function derTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? derUtcTime(date) : derGeneralizedTime(date);
}

export function derSequence(...items: Uint8Array[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(items));
}

/** SET OF in DER order: elements sorted by their encodings. */
export function derSet(...items: Uint8Array[]): Buffer {
  const sorted = [...items].map((item) => Buffer.from(item)).sort(Buffer.compare);
  return tlv(TAG.SET, Buffer.concat(sorted));
}

/** [n] EXPLICIT: wraps a complete TLV. */
export function derExplicit(tagNumber: number, inner: Uint8Array): Buffer {
  return tlv(0xa0 | tagNumber, inner);
}

/** [n] IMPLICIT: replaces the tag of `inner`, keeping its constructed bit. */
export function derImplicit(tagNumber: number, inner: Uint8Array): Buffer {
  const constructed = ((inner[0] as number) & 0x20) !== 0;
  const out = Buffer.from(inner);
  out[0] = (constructed ? 0xa0 : 0x80) | tagNumber;
  return out;
}

/** [n] IMPLICIT primitive built from raw content bytes (e.g. GeneralName dNSName, keyIdentifier). */
export function derContextPrimitive(tagNumber: number, content: Uint8Array): Buffer {
  return tlv(0x80 | tagNumber, content);
}
