import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTrustedCert, rehashDir, revokeFromTrustDir, scanTrustDir, type IgnoredEntry } from '../../src/tls/trust-dir.js';

/** The ignored entries as text; the parsed certificate they carry is checked separately. */
function withoutCertificates(entries: readonly IgnoredEntry[]): Array<Omit<IgnoredEntry, 'certificate'>> {
  return entries.map(({ certificate: _certificate, ...rest }) => rest);
}

const run = promisify(execFile);
let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'trust-dir-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

interface Made {
  /** A PEM file outside any trust directory. */
  file: string;
  pem: string;
  fingerprint256: string;
  hash: string;
  hashOld: string;
}

async function makeCert(subj: string): Promise<Made> {
  const n = counter++;
  const file = path.join(root, `src${n}.cert.pem`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path.join(root, `src${n}.key.pem`),
    '-out',
    file,
    '-days',
    '1',
    '-subj',
    subj,
  ]);
  const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-subject_hash', '-subject_hash_old']);
  const [hash, hashOld] = stdout.trim().split('\n');
  const pem = await readFile(file, 'utf8');
  return { file, pem, fingerprint256: new X509Certificate(pem).fingerprint256, hash: hash!, hashOld: hashOld! };
}

async function newDir(): Promise<string> {
  const dir = path.join(root, `dir${counter++}`);
  await mkdir(dir);
  return dir;
}

describe('scanTrustDir', () => {
  let user1: Made;
  let user2: Made;
  let twinA: Made;
  let twinB: Made;
  beforeAll(async () => {
    user1 = await makeCert('/C=US/O=MyNanoRPCServer/CN=rpc.user.1');
    user2 = await makeCert('/C=US/O=MyNanoRPCServer/CN=rpc.user.2');
    twinA = await makeCert('/CN=twin');
    twinB = await makeCert('/CN=twin');
  });

  it('trusts what `openssl rehash` linked, without complaining about the linked file', async () => {
    const dir = await newDir();
    await copyFile(user1.file, path.join(dir, 'rpcuser1.cert.pem'));
    await copyFile(user2.file, path.join(dir, 'rpcuser2.cert.pem'));
    await run('openssl', ['rehash', dir]);
    const scan = await scanTrustDir(dir);
    expect(withoutCertificates(scan.ignored)).toEqual([]);
    expect(scan.trusted.map((t) => [t.file, t.fingerprint256]).sort()).toEqual(
      [
        [`${user1.hash}.0`, user1.fingerprint256],
        [`${user2.hash}.0`, user2.fingerprint256],
      ].sort(),
    );
    const t1 = scan.trusted.find((t) => t.fingerprint256 === user1.fingerprint256)!;
    expect(t1).toMatchObject({ identity: { commonName: 'rpc.user.1' }, hash: user1.hash, path: path.join(dir, `${user1.hash}.0`) });
    expect(t1.subject).toContain('CN=rpc.user.1');
    expect(new X509Certificate(t1.pem).fingerprint256).toBe(user1.fingerprint256);
  });

  it('collapses the old-style links Debian c_rehash adds into one trusted certificate', async () => {
    const dir = await newDir();
    await copyFile(user1.file, path.join(dir, 'rpcuser1.cert.pem'));
    await run('c_rehash', [dir]);
    expect((await readdir(dir)).sort()).toEqual([`${user1.hash}.0`, `${user1.hashOld}.0`, 'rpcuser1.cert.pem'].sort());
    const scan = await scanTrustDir(dir);
    expect(withoutCertificates(scan.ignored)).toEqual([]);
    expect(scan.trusted).toHaveLength(1);
    expect(scan.trusted[0]!.file).toBe(`${user1.hash}.0`);
  });

  it('trusts a certificate reachable only by its old-style hash', async () => {
    const dir = await newDir();
    await copyFile(user1.file, path.join(dir, `${user1.hashOld}.0`));
    const scan = await scanTrustDir(dir);
    expect(scan.trusted.map((t) => t.file)).toEqual([`${user1.hashOld}.0`]);
  });

  it('follows the seed document: a symlink named after the subject hash', async () => {
    const dir = await newDir();
    await copyFile(user1.file, path.join(dir, 'rpcuser1.cert.pem'));
    await symlink('rpcuser1.cert.pem', path.join(dir, `${user1.hash}.0`));
    const scan = await scanTrustDir(dir);
    expect(scan).toMatchObject({ ignored: [], trusted: [{ file: `${user1.hash}.0`, identity: { commonName: 'rpc.user.1' } }] });
  });

  it('trusts two different certificates with the same subject as .0 and .1', async () => {
    expect(twinA.hash).toBe(twinB.hash);
    const dir = await newDir();
    await copyFile(twinA.file, path.join(dir, `${twinA.hash}.0`));
    await copyFile(twinB.file, path.join(dir, `${twinA.hash}.1`));
    const scan = await scanTrustDir(dir);
    expect(withoutCertificates(scan.ignored)).toEqual([]);
    expect(scan.trusted.map((t) => t.fingerprint256)).toEqual([twinA.fingerprint256, twinB.fingerprint256]);
  });

  it('ignores entries after a gap in the numbering, as OpenSSL stops there', async () => {
    const dir = await newDir();
    await copyFile(twinB.file, path.join(dir, `${twinB.hash}.1`));
    const scan = await scanTrustDir(dir);
    expect(scan.trusted).toEqual([]);
    expect(withoutCertificates(scan.ignored)).toEqual([
      { file: `${twinB.hash}.1`, reason: expect.stringMatching(/stops at .*\.0/), expectedName: `${twinB.hash}.0` },
    ]);
  });

  it('reports a misnamed file and a non-hashed file with the name they should have', async () => {
    const dir = await newDir();
    const wrong = user1.hash === 'deadbeef' ? 'deadbee0.0' : 'deadbeef.0';
    await copyFile(user1.file, path.join(dir, wrong));
    await copyFile(user2.file, path.join(dir, 'rpcuser2.cert.pem'));
    const scan = await scanTrustDir(dir);
    expect(scan.trusted).toEqual([]);
    expect(withoutCertificates(scan.ignored)).toEqual([
      { file: wrong, reason: expect.stringMatching(/subject hash .*forgot to subject-hash/), expectedName: `${user1.hash}.0` },
      { file: 'rpcuser2.cert.pem', reason: expect.stringMatching(/not trusted.*forgot to subject-hash/), expectedName: `${user2.hash}.0` },
    ]);
  });

  it('trusts only the certificates of a hashed bundle whose hash matches the name', async () => {
    const dir = await newDir();
    await writeFile(path.join(dir, `${user1.hash}.0`), user1.pem + user2.pem);
    const scan = await scanTrustDir(dir);
    expect(scan.trusted.map((t) => t.fingerprint256)).toEqual([user1.fingerprint256]);
    expect(withoutCertificates(scan.ignored)).toEqual([
      { file: `${user1.hash}.0`, reason: expect.stringContaining(user2.hash), expectedName: `${user2.hash}.0` },
    ]);
  });

  it('reports dangling links and unparseable hashed files, and skips other files quietly', async () => {
    const dir = await newDir();
    await symlink('gone.pem', path.join(dir, `${user1.hash}.0`));
    await copyFile(user1.file, path.join(dir, `${user1.hash}.1`));
    await writeFile(path.join(dir, 'abcdef01.0'), 'not a certificate\n');
    await writeFile(path.join(dir, 'abcdef01.r0'), '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n');
    await writeFile(path.join(dir, 'README'), 'client certificates live here\n');
    await copyFile(user1.file.replace('.cert.pem', '.key.pem'), path.join(dir, 'rpcuser1.key.pem'));
    const scan = await scanTrustDir(dir);
    expect(scan.trusted).toEqual([]);
    expect(withoutCertificates(scan.ignored)).toEqual([
      { file: `${user1.hash}.0`, reason: 'dangling symlink to gone.pem' },
      { file: `${user1.hash}.1`, reason: expect.stringMatching(/stops at/), expectedName: `${user1.hash}.0` },
      { file: 'abcdef01.0', reason: expect.stringMatching(/no PEM certificate/) },
    ]);
  });

  it('reports a DER certificate file, since the directory is read as PEM', async () => {
    const dir = await newDir();
    await writeFile(path.join(dir, 'user1.der'), new X509Certificate(user1.pem).raw);
    const scan = await scanTrustDir(dir);
    expect(withoutCertificates(scan.ignored)).toEqual([{ file: 'user1.der', reason: expect.stringMatching(/DER/), expectedName: `${user1.hash}.0` }]);
  });

  it('returns nothing for an empty directory and throws, naming the path, for a missing one', async () => {
    const dir = await newDir();
    expect(await scanTrustDir(dir)).toEqual({ trusted: [], ignored: [] });
    const missing = path.join(dir, 'nope');
    await expect(scanTrustDir(missing)).rejects.toThrow(missing);
  });

  describe('install, revoke, rehash', () => {
    it('installs a copy under <hash>.<first free n>, once per certificate', async () => {
      const dir = await newDir();
      expect(await installTrustedCert(dir, twinA.pem)).toEqual({ file: `${twinA.hash}.0`, created: true });
      expect(await installTrustedCert(dir, twinA.pem)).toEqual({ file: `${twinA.hash}.0`, created: false });
      expect(await installTrustedCert(dir, twinB.pem)).toEqual({ file: `${twinA.hash}.1`, created: true });
      expect(await readdir(dir)).toEqual([`${twinA.hash}.0`, `${twinA.hash}.1`]);
      const scan = await scanTrustDir(dir);
      expect(scan.trusted.map((t) => t.fingerprint256)).toEqual([twinA.fingerprint256, twinB.fingerprint256]);
      // What we write is what openssl itself would look up.
      const { stdout } = await run('openssl', ['verify', '-CApath', dir, twinB.file]);
      expect(stdout).toContain('OK');
      await expect(installTrustedCert(dir, twinA.pem + twinB.pem)).rejects.toThrow(/exactly one/);
    });

    it('revoking the .0 of a collision renumbers the other to .0', async () => {
      const dir = await newDir();
      await installTrustedCert(dir, twinA.pem);
      await installTrustedCert(dir, twinB.pem);
      const { removed } = await revokeFromTrustDir(dir, twinA.fingerprint256.toLowerCase());
      expect(removed).toEqual([`${twinA.hash}.0`]);
      const scan = await scanTrustDir(dir);
      expect(withoutCertificates(scan.ignored)).toEqual([]);
      expect(scan.trusted.map((t) => [t.file, t.fingerprint256])).toEqual([[`${twinA.hash}.0`, twinB.fingerprint256]]);
    });

    it('revokes by file name every new- and old-style link and the in-directory file they point at, so rehash cannot bring it back', async () => {
      const dir = await newDir();
      await copyFile(user1.file, path.join(dir, 'rpcuser1.cert.pem'));
      await copyFile(user2.file, path.join(dir, 'rpcuser2.cert.pem'));
      await run('c_rehash', [dir]);
      const { removed, kept, revoked } = await revokeFromTrustDir(dir, path.join(dir, 'rpcuser1.cert.pem'));
      expect(removed).toEqual([...[user1.hash, user1.hashOld].map((h) => `${h}.0`), 'rpcuser1.cert.pem'].sort());
      expect(kept).toEqual([]);
      expect(revoked).toEqual([{ commonName: 'rpc.user.1', fingerprint256: user1.fingerprint256 }]);
      const scan = await scanTrustDir(dir);
      expect(scan.trusted.map((t) => t.identity.commonName)).toEqual(['rpc.user.2']);
      expect(withoutCertificates(scan.ignored)).toEqual([]);
      expect(await rehashDir(dir)).toEqual([]);
      expect(await run('openssl', ['verify', '-CApath', dir, user1.file]).catch((error: { stdout: string }) => error.stdout)).not.toMatch(/: OK/);
    });

    it('keeps a link target outside the directory and says so', async () => {
      const dir = await newDir();
      await symlink(user1.file, path.join(dir, `${user1.hash}.0`));
      const { removed, kept } = await revokeFromTrustDir(dir, 'rpc.user.1');
      expect(removed).toEqual([`${user1.hash}.0`]);
      expect(kept).toEqual([{ path: user1.file, why: 'outside the trust directory' }]);
      expect(await readFile(user1.file, 'utf8')).toBe(user1.pem);
    });

    it('revokes by common name and by bare fingerprint, and throws when nothing matches', async () => {
      const dir = await newDir();
      await installTrustedCert(dir, user1.pem);
      await installTrustedCert(dir, user2.pem);
      expect((await revokeFromTrustDir(dir, 'rpc.user.2')).removed).toEqual([`${user2.hash}.0`]);
      expect((await revokeFromTrustDir(dir, user1.fingerprint256.replaceAll(':', ''))).removed).toEqual([`${user1.hash}.0`]);
      expect(await readdir(dir)).toEqual([]);
      await expect(revokeFromTrustDir(dir, 'rpc.user.1')).rejects.toThrow(/no certificate .* matches/);
    });

    it('refuses to revoke through a hashed bundle that also trusts other certificates', async () => {
      const dir = await newDir();
      await writeFile(path.join(dir, `${twinA.hash}.0`), twinA.pem + twinB.pem);
      await expect(revokeFromTrustDir(dir, twinA.fingerprint256)).rejects.toThrow(/other certificates/);
      expect(await readdir(dir)).toEqual([`${twinA.hash}.0`]);
    });

    it('rehash links each unreachable certificate file once, with a relative target', async () => {
      const dir = await newDir();
      await copyFile(user1.file, path.join(dir, 'rpcuser1.cert.pem'));
      await copyFile(twinA.file, path.join(dir, 'twin-a.pem'));
      await copyFile(twinB.file, path.join(dir, 'twin-b.pem'));
      await copyFile(twinB.file, path.join(dir, 'twin-b-copy.pem'));
      const links = await rehashDir(dir);
      expect(links).toEqual([
        { link: `${user1.hash}.0`, target: 'rpcuser1.cert.pem' },
        { link: `${twinA.hash}.0`, target: 'twin-a.pem' },
        { link: `${twinA.hash}.1`, target: 'twin-b-copy.pem' },
      ]);
      expect(await readlink(path.join(dir, `${twinA.hash}.1`))).toBe('twin-b-copy.pem');
      expect(await rehashDir(dir)).toEqual([]);
      const scan = await scanTrustDir(dir);
      expect(withoutCertificates(scan.ignored)).toEqual([]);
      expect(scan.trusted).toHaveLength(3);
    });
  });
});
