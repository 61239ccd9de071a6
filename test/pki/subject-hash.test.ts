import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateNames, readElement, readName, readSingle } from '../../src/pki/der-reader.js';
import { certificatesFromPem, subjectCommonName, subjectHash, subjectHashOld } from '../../src/pki/subject-hash.js';

const run = promisify(execFile);
let dir: string;
let counter = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'subject-hash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Made {
  der: Buffer;
  pem: string;
}

async function makeCert(subj: string, opts: { utf8?: boolean; stringMask?: string } = {}): Promise<Made> {
  const n = counter++;
  const out = path.join(dir, `c${n}.pem`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  args.push('-keyout', path.join(dir, `k${n}.pem`), '-out', out, '-days', '1', '-subj', subj);
  if (opts.utf8 === true) args.push('-utf8');
  if (opts.stringMask !== undefined) {
    const cnf = path.join(dir, `c${n}.cnf`);
    await writeFile(cnf, `[req]\ndistinguished_name = dn\nstring_mask = ${opts.stringMask}\n[dn]\n`);
    args.push('-config', cnf);
  }
  await run('openssl', args);
  const pem = await readFile(out, 'utf8');
  const der = certificatesFromPem(pem)[0]!;
  return { der, pem };
}

/** The two hashes as the openssl CLI computes them. */
async function opensslHashes(der: Buffer): Promise<{ hash: string; old: string }> {
  const file = path.join(dir, `h${counter++}.der`);
  await writeFile(file, der);
  const { stdout } = await run('openssl', ['x509', '-inform', 'DER', '-in', file, '-noout', '-subject_hash', '-subject_hash_old']);
  const [hash, old] = stdout.trim().split('\n');
  return { hash: hash!, old: old! };
}

/** Same-length byte surgery on a value: the signature breaks, which -subject_hash does not check. */
function patch(der: Buffer, marker: string, tag: number, content: Buffer): Buffer {
  expect(content.length).toBe(marker.length);
  const out = Buffer.from(der);
  let at = out.indexOf(marker, 0, 'latin1');
  expect(at).toBeGreaterThan(0);
  while (at !== -1) {
    expect(out[at - 1]).toBe(marker.length);
    out[at - 2] = tag;
    content.copy(out, at);
    at = out.indexOf(marker, at + 1, 'latin1');
  }
  return out;
}

async function expectSameAsOpenssl(der: Buffer): Promise<string> {
  const expected = await opensslHashes(der);
  expect(subjectHash(der)).toBe(expected.hash);
  expect(subjectHashOld(der)).toBe(expected.old);
  return expected.hash;
}

describe('subjectHash / subjectHashOld agree with openssl x509', () => {
  const subjects: Array<[string, string, { utf8?: boolean; stringMask?: string }?]> = [
    ['seed example', '/C=US/O=MyNanoRPCServer/CN=rpc.user.1'],
    ['mixed case', '/CN=RpC.UsEr.ONE/O=ACME Corp/OU=Dev'],
    ['runs of internal spaces, leading and trailing spaces', '/CN=  a    b  c  /O=   Lead/OU=Trail   '],
    ['UTF-8 with non-ASCII capitals', '/CN=ÄÖÜ Ωmega  Straße/O=Ünïcödé  Ltd', { utf8: true }],
    ['multi-valued RDN', '/CN=a+OU=B/O=x'],
    ['multi-valued RDN whose order changes once canonical', '/CN=x     y+OU=abc/O=Org'],
    ['emailAddress (IA5String)', '/CN=mail/emailAddress=  Foo.Bar@Example.COM '],
    ['PrintableString', '/C=US/CN=Hello   World', { stringMask: 'nombstr' }],
    ['T61String holding Latin-1', '/CN=Café_ÜBER  x', { utf8: true, stringMask: 'nombstr' }],
    ['BMPString', '/CN=Ωmega  ÄB/O=Plain   ORG', { utf8: true, stringMask: 'default' }],
    ['long value (long-form DER lengths)', `/CN=Z/description=${'Very  Long Description '.repeat(8)}`],
    ['empty subject', '/'],
  ];
  for (const [label, subj, opts] of subjects) {
    it(label, async () => {
      const { der } = await makeCert(subj, opts);
      await expectSameAsOpenssl(der);
    });
  }

  it('actually produced the string types it claims to test', async () => {
    const t61 = await makeCert('/CN=Caf\u00e9_x', { utf8: true, stringMask: 'nombstr' });
    const bmp = await makeCert('/CN=\u03a9', { utf8: true, stringMask: 'default' });
    const cn = (der: Buffer) => readName(certificateNames(der).subject)[0]![0]!.value.tagNumber;
    expect(cn(t61.der)).toBe(20);
    expect(cn(bmp.der)).toBe(30);
  });

  it('case and whitespace variants share one hash, and openssl agrees', async () => {
    const a = await makeCert('/CN=Rpc   User/O=Org');
    const b = await makeCert('/CN=  rpc user /O=ORG');
    expect(subjectHash(a.der)).toBe(subjectHash(b.der));
    expect(subjectHashOld(a.der)).not.toBe(subjectHashOld(b.der));
    await expectSameAsOpenssl(a.der);
    await expectSameAsOpenssl(b.der);
  });

  describe('string types openssl req will not write (patched into a real certificate)', () => {
    it('every ASCII whitespace character counts as a space', async () => {
      const { der } = await makeCert('/CN=WWaWWWbWWW/O=x');
      await expectSameAsOpenssl(patch(der, 'WWaWWWbWWW', 0x0c, Buffer.from('\t\va\r\n\fB \x0b\x0c')));
    });
    it('UniversalString', async () => {
      const { der } = await makeCert('/CN=UUUUUUUUUUUU/O=x');
      const ucs4 = Buffer.alloc(12);
      [0x20, 0xc4, 0x1f600].forEach((cp, i) => ucs4.writeUInt32BE(cp, i * 4));
      await expectSameAsOpenssl(patch(der, 'UUUUUUUUUUUU', 0x1c, ucs4));
    });
    it('VisibleString: openssl refuses the certificate, and so do we', async () => {
      const { der } = await makeCert('/CN=VVVVVVVV/O=x');
      const visible = patch(der, 'VVVVVVVV', 0x1a, Buffer.from(' Vis  I '));
      await expect(opensslHashes(visible)).rejects.toThrow(/Unable to load certificate/);
      expect(() => subjectHash(visible)).toThrow(/not a type OpenSSL accepts/);
    });
    it('NumericString is copied unchanged with its own tag', async () => {
      const { der } = await makeCert('/CN=NNNNNN/O=x');
      const numeric = patch(der, 'NNNNNN', 0x12, Buffer.from(' 12 3 '));
      const asUtf8 = patch(der, 'NNNNNN', 0x0c, Buffer.from(' 12 3 '));
      const hash = await expectSameAsOpenssl(numeric);
      expect(hash).not.toBe(subjectHash(asUtf8));
    });
    it('IA5String and T61String bytes above 0x7f are read as Latin-1', async () => {
      const { der } = await makeCert('/CN=IIIII/O=TTTTT');
      const ia5 = patch(der, 'IIIII', 0x16, Buffer.from([0x20, 0xc9, 0x41, 0x20, 0x20]));
      await expectSameAsOpenssl(patch(ia5, 'TTTTT', 0x14, Buffer.from([0xe9, 0x20, 0x09, 0x42, 0xff])));
    });
  });
});

describe('der-reader', () => {
  it('walks to the subject Name of a real certificate', async () => {
    const { der } = await makeCert('/C=US/O=MyNanoRPCServer/CN=rpc.user.1');
    const rdns = readName(certificateNames(der).subject);
    expect(rdns.map((rdn) => rdn.map((a) => a.oid))).toEqual([['2.5.4.6'], ['2.5.4.10'], ['2.5.4.3']]);
    expect(subjectCommonName(der)).toBe('rpc.user.1');
  });

  it('rejects malformed DER with a clear message', () => {
    expect(() => readElement(Buffer.from([0x30, 0x80, 0x00, 0x00]))).toThrow(/indefinite length/);
    expect(() => readElement(Buffer.from([0x30, 0x05, 0x02, 0x01]))).toThrow(/claims 5 content bytes/);
    expect(() => readElement(Buffer.from([0x30, 0x81, 0x05, 0, 0, 0, 0, 0]))).toThrow(/non-minimal length/);
    expect(() => readElement(Buffer.from([0x30]))).toThrow(/truncated length/);
    expect(() => readElement(Buffer.from([0x04, 0x85, 1, 0, 0, 0, 0]))).toThrow(/too long/);
    expect(() => readSingle(Buffer.from([0x05, 0x00, 0x00]))).toThrow(/trailing/);
  });

  it('refuses a certificate whose subject is not a Name', async () => {
    const { der } = await makeCert('/CN=x');
    // A truncated certificate must not yield a hash.
    expect(() => subjectHash(der.subarray(0, der.length - 10))).toThrow(/DER/);
  });
});

describe('certificatesFromPem', () => {
  it('returns every certificate of a bundle, and accepts DER', async () => {
    const a = await makeCert('/CN=one');
    const b = await makeCert('/CN=two');
    const both = certificatesFromPem(`junk before\n${a.pem}some text\n${b.pem}`);
    expect(both).toEqual([a.der, b.der]);
    expect(certificatesFromPem(a.der)).toEqual([a.der]);
    expect(certificatesFromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).toEqual([]);
  });
});
