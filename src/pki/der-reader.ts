// A minimal, strict DER reader: definite lengths only, minimal length and tag
// encodings, every length checked against its enclosing element. It is meant
// for walking certificates we did not produce, so malformed input throws
// rather than being guessed at.

export type TagClass = 'universal' | 'application' | 'context' | 'private';

export interface DerElement {
  readonly tagClass: TagClass;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** The whole element: identifier, length and contents. */
  readonly bytes: Uint8Array;
  readonly content: Uint8Array;
  /** Offset of the identifier octet in the buffer the element was read from. */
  readonly offset: number;
  /** Offset just past the element in that buffer. */
  readonly end: number;
}

export const UniversalTag = {
  Boolean: 1,
  Integer: 2,
  BitString: 3,
  OctetString: 4,
  Null: 5,
  ObjectIdentifier: 6,
  UTF8String: 12,
  Sequence: 16,
  Set: 17,
  NumericString: 18,
  PrintableString: 19,
  T61String: 20,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  VisibleString: 26,
  UniversalString: 28,
  BMPString: 30,
} as const;

const CLASSES: readonly TagClass[] = ['universal', 'application', 'context', 'private'];

/** Reads the one element that starts at `offset` and must end by `limit`. */
export function readElement(buf: Uint8Array, offset = 0, limit = buf.length): DerElement {
  if (limit > buf.length) throw new Error(`DER: limit ${limit} is past the end of the buffer`);
  let pos = offset;
  const need = (n: number, what: string): void => {
    if (pos + n > limit) throw new Error(`DER: truncated ${what} at offset ${pos}`);
  };

  need(1, 'identifier');
  const id = buf[pos++]!;
  const tagClass = CLASSES[id >> 6]!;
  const constructed = (id & 0x20) !== 0;
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (let first = true; ; first = false) {
      need(1, 'tag number');
      const b = buf[pos++]!;
      if (first && b === 0x80) throw new Error(`DER: non-minimal tag number at offset ${offset}`);
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (tagNumber > 0x1fffff) throw new Error(`DER: tag number too large at offset ${offset}`);
      if ((b & 0x80) === 0) break;
    }
    if (tagNumber < 0x1f) throw new Error(`DER: non-minimal tag number at offset ${offset}`);
  }

  need(1, 'length');
  const first = buf[pos++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    throw new Error(`DER: indefinite length at offset ${offset} (not allowed in DER)`);
  } else {
    const count = first & 0x7f;
    // Four length octets already allow 4 GiB; anything longer is hostile.
    if (count > 4) throw new Error(`DER: length of ${count} octets at offset ${offset} is too long`);
    need(count, 'length');
    if (buf[pos] === 0) throw new Error(`DER: non-minimal length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[pos++]!;
    if (length < 0x80) throw new Error(`DER: non-minimal length at offset ${offset}`);
  }
  if (length > limit - pos) {
    throw new Error(`DER: element at offset ${offset} claims ${length} content bytes but only ${limit - pos} remain`);
  }
  const end = pos + length;
  return {
    tagClass,
    constructed,
    tagNumber,
    bytes: buf.subarray(offset, end),
    content: buf.subarray(pos, end),
    offset,
    end,
  };
}

/** Reads a buffer that must hold exactly one element and nothing after it. */
export function readSingle(buf: Uint8Array): DerElement {
  const el = readElement(buf, 0, buf.length);
  if (el.end !== buf.length) throw new Error(`DER: ${buf.length - el.end} trailing bytes after the element`);
  return el;
}

/** The elements inside a constructed element, in order. */
export function readChildren(el: DerElement): DerElement[] {
  if (!el.constructed) throw new Error(`DER: ${describe(el)} is primitive and has no children`);
  const out: DerElement[] = [];
  let pos = 0;
  while (pos < el.content.length) {
    const child = readElement(el.content, pos, el.content.length);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function isUniversal(el: DerElement, tagNumber: number): boolean {
  return el.tagClass === 'universal' && el.tagNumber === tagNumber;
}

export function expectUniversal(el: DerElement | undefined, tagNumber: number, what: string): DerElement {
  if (el === undefined) throw new Error(`DER: missing ${what}`);
  const constructed = tagNumber === UniversalTag.Sequence || tagNumber === UniversalTag.Set;
  if (!isUniversal(el, tagNumber) || el.constructed !== constructed) {
    throw new Error(`DER: expected ${what}, found ${describe(el)}`);
  }
  return el;
}

export function describe(el: DerElement): string {
  return `${el.tagClass} ${el.constructed ? 'constructed' : 'primitive'} tag ${el.tagNumber} at offset ${el.offset}`;
}

/** Dotted form of an OBJECT IDENTIFIER's contents. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new Error('DER: empty OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let value = 0n;
  let fresh = true;
  for (const b of content) {
    if (fresh && b === 0x80) throw new Error('DER: non-minimal OBJECT IDENTIFIER arc');
    value = (value << 7n) | BigInt(b & 0x7f);
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (!fresh) throw new Error('DER: truncated OBJECT IDENTIFIER');
  const head = arcs[0]!;
  const [a, b] = head < 40n ? [0n, head] : head < 80n ? [1n, head - 40n] : [2n, head - 80n];
  return [a, b, ...arcs.slice(1)].join('.');
}

/**
 * Walks Certificate -> tbsCertificate to the subject Name:
 * tbsCertificate = SEQUENCE { [0] version OPTIONAL, serial, signature, issuer, validity, subject, ... }
 */
export function certificateNames(certDer: Uint8Array): { issuer: DerElement; subject: DerElement } {
  const cert = expectUniversal(readSingle(certDer), UniversalTag.Sequence, 'Certificate SEQUENCE');
  const tbs = expectUniversal(readChildren(cert)[0], UniversalTag.Sequence, 'tbsCertificate SEQUENCE');
  const fields = readChildren(tbs);
  let i = 0;
  const version = fields[0];
  if (version !== undefined && version.tagClass === 'context' && version.tagNumber === 0) i++;
  expectUniversal(fields[i++], UniversalTag.Integer, 'serialNumber INTEGER');
  expectUniversal(fields[i++], UniversalTag.Sequence, 'signature AlgorithmIdentifier');
  const issuer = expectUniversal(fields[i++], UniversalTag.Sequence, 'issuer Name');
  expectUniversal(fields[i++], UniversalTag.Sequence, 'validity SEQUENCE');
  const subject = expectUniversal(fields[i++], UniversalTag.Sequence, 'subject Name');
  return { issuer, subject };
}

export interface NameAttribute {
  /** The whole OBJECT IDENTIFIER element. */
  readonly type: DerElement;
  readonly oid: string;
  readonly value: DerElement;
}

/** Name = SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue). */
export function readName(name: DerElement): NameAttribute[][] {
  expectUniversal(name, UniversalTag.Sequence, 'Name SEQUENCE');
  return readChildren(name).map((rdn) => {
    expectUniversal(rdn, UniversalTag.Set, 'RelativeDistinguishedName SET');
    return readChildren(rdn).map((atv) => {
      expectUniversal(atv, UniversalTag.Sequence, 'AttributeTypeAndValue SEQUENCE');
      const parts = readChildren(atv);
      if (parts.length !== 2) throw new Error(`DER: AttributeTypeAndValue has ${parts.length} parts, expected 2`);
      const type = expectUniversal(parts[0], UniversalTag.ObjectIdentifier, 'attribute type OBJECT IDENTIFIER');
      return { type, oid: decodeOid(type.content), value: parts[1]! };
    });
  });
}
