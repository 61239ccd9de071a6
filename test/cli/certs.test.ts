import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSPHRASE_ENV, runCertsCommand } from '../../src/cli/certs.js';
import { generateKeyPair } from '../../src/pki/keys.js';
import { issueCertificate } from '../../src/pki/x509.js';
import { installTrustedCert } from '../../src/tls/trust-dir.js';

const run = promisify(execFile);

async function opensslOut(...args: string[]): Promise<string> {
  return (await run('openssl', args)).stdout.trim();
}

interface Outcome {
  code: number;
  out: string[];
  err: string[];
}

async function certs(argv: string[], env: Record<string, string | undefined> = {}): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCertsCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out, err };
}

describe('nano-rpc certs', () => {
  let root: string;
  let tls: string;
  let clients: string;
  const env = { [PASSPHRASE_ENV]: 'cli passphrase' };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'certs-cli-'));
    tls = join(root, 'tls');
    clients = join(tls, 'clients');
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('client before init fails with a hint to run init', async () => {
    const r = await certs(['client', 'alice', '--tls-dir', tls]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^error: no local CA in .*run "nano-rpc certs init" first$/)]);
  });

  test('init creates the PKI, reports every file and prints how to use it', async () => {
    const r = await certs(['init', '--tls-dir', tls], env);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    for (const what of ['CA certificate', 'CA private key', 'server certificate', 'server private key', 'DH parameters', 'client PKCS#12']) {
      expect(text).toMatch(new RegExp(`^created  ${what.replace(/[()#+]/g, '\\$&')}`, 'm'));
    }
    expect(text).toMatch(/server certificate: .*server\.cert\.pem \(hash [0-9a-f]{8}, sha256 ([0-9A-F]{2}:){31}[0-9A-F]{2}, expires \d{4}-\d\d-\d\d\)/);
    expect(text).toMatch(/^created  CA private key: .*ca\.key\.pem \(mode 0400\)$/m);
    expect(text).toMatch(/^created  server private key: .*server\.key\.pem \(mode 0600\)$/m);
    expect(text).toContain(`curl --cacert ${join(tls, 'ca', 'ca.cert.pem')} --cert ${join(tls, 'users', 'rpc.user.1.pem')}`);
    const key = await readFile(join(tls, 'server.key.pem'), 'utf8');
    expect(() => createPrivateKey({ key, passphrase: 'cli passphrase' })).not.toThrow();
    expect(() => createPrivateKey(key)).toThrow();
  });

  test('a second init keeps everything', async () => {
    const r = await certs(['init', '--tls-dir', tls], env);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('created'))).toEqual([]);
    expect(r.out).toContain('nothing to do: every file already exists');
  });

  test('secrets and unknown flags on the command line are refused as usage errors', async () => {
    const secret = await certs(['init', '--tls-dir', tls, '--passphrase', 'x']);
    expect(secret.code).toBe(2);
    expect(secret.err).toEqual([expect.stringMatching(new RegExp(`^error: secrets are never taken from the command line: set ${PASSPHRASE_ENV}`))]);
    expect((await certs(['list', '--days', '3'])).code).toBe(2);
    expect((await certs(['bogus'])).code).toBe(2);
    expect((await certs([])).code).toBe(2);
    expect((await certs(['client'])).code).toBe(2);
    expect((await certs(['client', 'x', '--days', 'ten', '--tls-dir', tls])).code).toBe(2);
    const help = await certs(['help']);
    expect(help.code).toBe(0);
    expect(help.out.join('\n')).toMatch(/revoke NAME\|FINGERPRINT\|FILE/);
  });

  test('client issues, installs under the openssl subject hash and refuses a duplicate', async () => {
    const r = await certs(['client', 'alice', '--days', '10', '--tls-dir', tls]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const certPath = join(tls, 'users', 'alice.cert.pem');
    const hash = await opensslOut('x509', '-in', certPath, '-noout', '-subject_hash');
    expect(r.out.join('\n')).toContain(`trusted by the server as: ${join(clients, `${hash}.0`)}`);
    expect(await readFile(join(clients, `${hash}.0`), 'utf8')).toBe(await readFile(certPath, 'utf8'));
    const dup = await certs(['client', 'alice', '--tls-dir', tls]);
    expect(dup.code).toBe(1);
    expect(dup.err).toEqual([expect.stringMatching(/^error: client "alice" already exists/)]);
    expect((await certs(['client', '../alice', '--tls-dir', tls])).err[0]).toMatch(/invalid client name/);
  });

  test('list shows trusted clients, an EXPIRED marker and misnamed files with the expected name', async () => {
    const ca = { certPem: await readFile(join(tls, 'ca', 'ca.cert.pem'), 'utf8'), privateKey: createPrivateKey(await readFile(join(tls, 'ca', 'ca.key.pem'))) };
    const k = await generateKeyPair('ec-p256');
    const expiredPem = issueCertificate({
      subject: [['CN', 'old.user']],
      publicKey: k.publicKey,
      issuer: ca,
      purposes: ['client'],
      notBefore: new Date(Date.now() - 20 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    await installTrustedCert(clients, expiredPem);
    // Copied in by hand without renaming: the server ignores it, and list says what the name should be.
    const m = await generateKeyPair('ec-p256');
    const misnamed = join(clients, 'mallory.cert.pem');
    await writeFile(misnamed, issueCertificate({ subject: [['CN', 'mallory']], publicKey: m.publicKey, issuer: ca, purposes: ['client'] }));
    const malloryHash = await opensslOut('x509', '-in', misnamed, '-noout', '-subject_hash');
    const aliceHash = await opensslOut('x509', '-in', join(tls, 'users', 'alice.cert.pem'), '-noout', '-subject_hash');

    const r = await certs(['list', '--tls-dir', tls]);
    expect(r.code).toBe(0);
    const text = r.out.join('\n') + '\n';
    expect(text).toMatch(/trusted client certificates in .*: 3/);
    const alice = new X509Certificate(await readFile(join(tls, 'users', 'alice.cert.pem')));
    expect(text).toContain(`${aliceHash}.0  CN=alice sha256 ${alice.fingerprint256}  notAfter ${new Date(alice.validTo).toISOString().slice(0, 10)}\n`);
    expect(text).toMatch(/CN=rpc\.user\.1 .*notAfter \d{4}-\d\d-\d\d$/m);
    expect(text).toMatch(/CN=old\.user .* EXPIRED$/m);
    expect(text).toMatch(/^ignored by the server: 1$/m);
    expect(text).toMatch(new RegExp(`^  mallory\\.cert\\.pem: .*\\(expected name ${malloryHash}\\.0\\)$`, 'm'));
    expect(text).not.toMatch(/^  [0-9a-f]{8}\.\d+  CN=mallory/m);
    await rm(misnamed);
  });

  test('hash matches openssl for multi-certificate PEM and DER files, new and old style', async () => {
    const pemFile = join(root, 'two.pem');
    const a = join(tls, 'users', 'alice.cert.pem');
    const b = join(tls, 'ca', 'ca.cert.pem');
    await writeFile(pemFile, (await readFile(a, 'utf8')) + (await readFile(b, 'utf8')));
    const derFile = join(root, 'alice.der');
    await run('openssl', ['x509', '-in', a, '-outform', 'DER', '-out', derFile]);
    const expected = [
      `${await opensslOut('x509', '-in', a, '-noout', '-subject_hash')}  ${pemFile}`,
      `${await opensslOut('x509', '-in', b, '-noout', '-subject_hash')}  ${pemFile}`,
      `${await opensslOut('x509', '-in', a, '-noout', '-subject_hash')}  ${derFile}`,
    ];
    const r = await certs(['hash', pemFile, derFile]);
    expect(r).toEqual({ code: 0, out: expected, err: [] });
    const old = await certs(['hash', '--old', derFile]);
    expect(old.out).toEqual([`${await opensslOut('x509', '-in', a, '-noout', '-subject_hash_old')}  ${derFile}`]);
    const missing = await certs(['hash', join(root, 'nope.pem'), derFile]);
    expect(missing.code).toBe(1);
    expect(missing.out).toHaveLength(1);
    expect(missing.err).toEqual([expect.stringMatching(/^error: .*nope\.pem: /)]);
  });

  test('revoke removes the hashed entry by CN, and fails when nothing matches', async () => {
    const hash = await opensslOut('x509', '-in', join(tls, 'users', 'alice.cert.pem'), '-noout', '-subject_hash');
    const r = await certs(['revoke', 'alice', '--tls-dir', tls]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^revoked CN=alice sha256 [0-9A-F:]{95}$/);
    expect(r.out[1]).toBe(`removed ${join(clients, `${hash}.0`)}`);
    expect(await readdir(clients)).not.toContain(`${hash}.0`);
    expect((await certs(['list', '--tls-dir', tls])).out.join('\n')).not.toContain('CN=alice');
    const again = await certs(['revoke', 'alice', '--tls-dir', tls]);
    expect(again.code).toBe(1);
    expect(again.err).toEqual([expect.stringMatching(/^error: no certificate .* matches "alice"$/)]);
    // The user's own files stay: revocation is about the server's trust, not the client's copy.
    await expect(lstat(join(tls, 'users', 'alice.cert.pem'))).resolves.toBeDefined();
  });

  test('rehash links plain certificate files under their subject hash, once', async () => {
    const dir = join(root, 'rehash');
    await mkdir(dir);
    await copyFile(join(tls, 'users', 'alice.cert.pem'), join(dir, 'alice.cert.pem'));
    await copyFile(join(tls, 'users', 'rpc.user.1.cert.pem'), join(dir, 'rpc.user.1.cert.pem'));
    const r = await certs(['rehash', dir]);
    expect(r.code).toBe(0);
    const expected = [];
    for (const f of ['alice.cert.pem', 'rpc.user.1.cert.pem']) {
      const hash = await opensslOut('x509', '-in', join(dir, f), '-noout', '-subject_hash');
      expected.push(`${join(dir, `${hash}.0`)} -> ${f}`);
      expect(await readlink(join(dir, `${hash}.0`))).toBe(f);
    }
    expect([...r.out].sort()).toEqual(expected.sort());
    const again = await certs(['rehash', dir]);
    expect(again.out).toEqual([`nothing to link in ${dir}: every certificate already has a hashed name`]);
  });
});
