import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_LABELS, PRIVATE_KEY_LABELS, pemDecodeAll, pemEncode, readPem } from '../../src/pki/pem.js';

const one = Buffer.from('first block bytes');
const two = Buffer.from('second, longer block bytes '.repeat(5));

describe('readPem', () => {
  it('reads every block in order, with its label, DER and exact text, ignoring text around them', () => {
    const a = pemEncode('CERTIFICATE', one);
    const b = pemEncode('X509 CRL', two);
    const text = `subject=CN=x\nissuer=CN=y\n${a}between the blocks\n${b}trailing junk`;
    const blocks = readPem(text);
    expect(blocks.map((x) => x.label)).toEqual(['CERTIFICATE', 'X509 CRL']);
    expect(blocks[0]!.der).toEqual(one);
    expect(blocks[1]!.der).toEqual(two);
    expect(blocks[0]!.text).toBe(a.trimEnd());
    expect(blocks[1]!.text).toBe(b.trimEnd());
    expect(blocks.every((x) => x.problem === undefined)).toBe(true);
  });

  it('tolerates CRLF line ends and whitespace in the body', () => {
    const lf = pemEncode('CERTIFICATE', two);
    const crlf = lf.replace(/\n/g, '\r\n');
    const spaced = lf.replace(/\n(?!-----)/g, '\n  \t').replace(/-----\n(.{10})/, '-----\n$1 ');
    for (const text of [crlf, spaced]) {
      const [block] = readPem(text);
      expect(block!.problem).toBeUndefined();
      expect(block!.der).toEqual(two);
    }
    expect(readPem(crlf)[0]!.text).toBe(crlf.trimEnd());
  });

  it('returns only the labels asked for', () => {
    const text = pemEncode('PRIVATE KEY', one) + pemEncode('CERTIFICATE', two) + pemEncode('TRUSTED CERTIFICATE', one);
    expect(readPem(text, { labels: CERTIFICATE_LABELS }).map((b) => b.label)).toEqual(['CERTIFICATE', 'TRUSTED CERTIFICATE']);
    expect(readPem(text, { labels: PRIVATE_KEY_LABELS }).map((b) => b.label)).toEqual(['PRIVATE KEY']);
    expect(readPem(text, { labels: ['DH PARAMETERS'] })).toEqual([]);
  });

  it('flags a body that is not base64, and an empty block', () => {
    const bad = '-----BEGIN CERTIFICATE-----\nMIIB*AA==\n-----END CERTIFICATE-----\n';
    const badPadding = '-----BEGIN CERTIFICATE-----\nMI=IBA==\n-----END CERTIFICATE-----\n';
    const empty = '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n';
    expect(readPem(bad)[0]!.problem).toBe('has a body that is not plain base64');
    expect(readPem(badPadding)[0]!.problem).toBe('has a body that is not plain base64');
    expect(readPem(empty)[0]!.problem).toBe('is empty');
    expect(readPem(bad)[0]!.der).toHaveLength(0);
    expect(() => pemDecodeAll(bad, 'CERTIFICATE')).toThrow('PEM: the CERTIFICATE block has a body that is not plain base64');
  });

  it('flags an END label that is not the BEGIN label, and a block never closed, and reads on after them', () => {
    const mismatched = '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const unclosed = '-----BEGIN CERTIFICATE-----\nAAAA\n';
    const good = pemEncode('CERTIFICATE', one);
    expect(readPem(mismatched)).toMatchObject([
      { label: 'RSA PRIVATE KEY', problem: 'ends with -----END PRIVATE KEY----- instead of -----END RSA PRIVATE KEY-----' },
    ]);
    const blocks = readPem(unclosed + good);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.problem).toBe('has no -----END CERTIFICATE----- line');
    expect(blocks[0]!.text).toBe(unclosed);
    expect(blocks[1]!.problem).toBeUndefined();
    expect(blocks[1]!.der).toEqual(one);
    expect(readPem(unclosed)[0]!.problem).toBe('has no -----END CERTIFICATE----- line');
  });

  it('reads encrypted keys: the PKCS#8 label, and the Proc-Type headers of a traditional key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    const sec1 = privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string;
    const [p8] = readPem(pkcs8, { labels: PRIVATE_KEY_LABELS });
    expect(p8).toMatchObject({ label: 'ENCRYPTED PRIVATE KEY', headers: '' });
    expect(p8!.problem).toBeUndefined();
    expect(p8!.der[0]).toBe(0x30);
    const [trad] = readPem(sec1.replace(/\n/g, '\r\n'), { labels: PRIVATE_KEY_LABELS });
    expect(trad!.label).toBe('EC PRIVATE KEY');
    expect(trad!.problem).toBeUndefined();
    expect(trad!.headers).toMatch(/^Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,[0-9A-F]+$/);
    // The body of a traditional encrypted key is the ciphertext itself.
    expect(trad!.der.length % 16).toBe(0);
  });

  it('does not take a BEGIN line with text glued after it', () => {
    expect(readPem('-----BEGIN CERTIFICATE-----AAAA\n-----END CERTIFICATE-----\n')).toEqual([]);
  });
});
