import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateKeyPair, privateKeyPem } from '../../src/pki/keys.js';
import { buildPkcs12, pkcs12Kdf } from '../../src/pki/pkcs12.js';
import { issueCertificate } from '../../src/pki/x509.js';
import { openssl } from '../support/clients.js';

function pemBlocks(text: string, label: string): string[] {
  return [...text.matchAll(new RegExp(`-----BEGIN ${label}-----[\\s\\S]*?-----END ${label}-----`, 'g'))].map((m) => m[0] + '\n');
}

test('pkcs12Kdf agrees with openssl kdf PKCS12KDF (SHA-256, single and multi-block)', async () => {
  const cases = [
    { pass: 'smeg', salt: '0a58cf64530d823f', iter: 2048, id: 3 as const, len: 32 },
    { pass: 'queeg', salt: '05dec959acff72f7', iter: 1000, id: 1 as const, len: 40 },
  ];
  for (const c of cases) {
    // The KDF provider takes raw password bytes; PKCS#12 feeds it a NUL-terminated BMPString.
    const bmp = Buffer.from(c.pass + '\0', 'utf16le')
      .swap16()
      .toString('hex');
    const ref = await openssl(
      'kdf',
      '-keylen',
      String(c.len),
      '-kdfopt',
      'digest:SHA256',
      '-kdfopt',
      `hexpass:${bmp}`,
      '-kdfopt',
      `hexsalt:${c.salt}`,
      '-kdfopt',
      `iter:${c.iter}`,
      '-kdfopt',
      `id:${c.id}`,
      'PKCS12KDF',
    );
    expect(ref.code, ref.stderr).toBe(0);
    const expected = ref.stdout.trim().replace(/:/g, '').toLowerCase();
    expect(pkcs12Kdf(c.pass, Buffer.from(c.salt, 'hex'), c.id, c.iter, c.len).toString('hex')).toBe(expected);
  }
});

for (const type of ['ec-p256', 'rsa-2048'] as const) {
  describe(`buildPkcs12 (${type})`, () => {
    let dir: string;
    let caPem: string;
    let certPem: string;
    let keyPem: string;
    const passphrase = 'p12-Secret_1';

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), `p12-${type}-`));
      const ca = await generateKeyPair(type);
      caPem = issueCertificate({ subject: [['CN', 'p12 test CA']], publicKey: ca.publicKey, privateKey: ca.privateKey, issuer: 'self', isCA: true });
      const leaf = await generateKeyPair(type);
      certPem = issueCertificate({
        subject: [['CN', 'rpc.user.1']],
        publicKey: leaf.publicKey,
        issuer: { certPem: caPem, privateKey: ca.privateKey },
        purposes: ['client'],
      });
      keyPem = privateKeyPem(leaf.privateKey);
      await writeFile(join(dir, 'user.p12'), buildPkcs12({ certPem, keyPem, caPems: [caPem], passphrase, friendlyName: 'rpc.user.1' }));
      await writeFile(join(dir, 'nochain.p12'), buildPkcs12({ certPem, keyPem, passphrase, friendlyName: 'rpc.user.1' }));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('openssl verifies the MAC and returns the certificate chain', async () => {
      const info = await openssl('pkcs12', '-in', join(dir, 'user.p12'), '-passin', `pass:${passphrase}`, '-info', '-nokeys');
      expect(info.code, info.stderr).toBe(0);
      expect(info.stderr).toMatch(/MAC: sha256, Iteration 2048/);
      expect(info.stdout).toMatch(/friendlyName: rpc\.user\.1/);
      expect(info.stdout).toMatch(/localKeyID:/);
      const certs = pemBlocks(info.stdout, 'CERTIFICATE');
      expect(certs.map((c) => new X509Certificate(c).fingerprint256)).toEqual([certPem, caPem].map((c) => new X509Certificate(c).fingerprint256));
    });

    test('openssl decrypts the key and it is the same key', async () => {
      const out = await openssl('pkcs12', '-in', join(dir, 'nochain.p12'), '-passin', `pass:${passphrase}`, '-nocerts', '-nodes');
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr + out.stdout).not.toMatch(/error/i);
      const [keyBlock] = pemBlocks(out.stdout, 'PRIVATE KEY');
      expect(keyBlock).toBeDefined();
      const back = createPrivateKey(keyBlock as string).export({ type: 'pkcs8', format: 'der' });
      expect(back.equals(createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' }))).toBe(true);
      expect(out.stdout).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC|friendlyName: rpc\.user\.1/);
    });

    test('a wrong passphrase fails the MAC check', async () => {
      const out = await openssl('pkcs12', '-in', join(dir, 'user.p12'), '-passin', 'pass:wrong', '-nokeys');
      expect(out.code).not.toBe(0);
      expect(out.stderr).toMatch(/mac verify (error|failure)/i);
    });

    test('node builds a secure context from the pfx only with the right passphrase', () => {
      const pfx = buildPkcs12({ certPem, keyPem, caPems: [caPem], passphrase, friendlyName: 'rpc.user.1' });
      expect(() => createSecureContext({ pfx, passphrase })).not.toThrow();
      expect(() => createSecureContext({ pfx, passphrase: 'nope' })).toThrow(/mac verify failure/i);
    });
  });
}
