import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createSecureContext, createServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FFDHE2048_PEM } from '../../src/pki/dh-groups.js';
import { devPkiPaths, initDevPki, issueClient } from '../../src/pki/dev-pki.js';
import type { DevPkiOptions, DevPkiResult } from '../../src/pki/dev-pki.js';
import { writeNewFile } from '../../src/pki/secret-file.js';
import { allowPartialTrustChain } from '../../src/tls/node-internals.js';
import { openssl } from '../support/clients.js';

const run = promisify(execFile);
const PASSPHRASE = 'dev-pki test passphrase';

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

function optionsFor(root: string, passphrase = PASSPHRASE): DevPkiOptions {
  const tlsDir = join(root, 'tls');
  return {
    tlsDir,
    serverCertPath: join(tlsDir, 'server.cert.pem'),
    serverKeyPath: join(tlsDir, 'server.key.pem'),
    serverKeyPassphrase: passphrase,
    dhPath: join(tlsDir, 'dh2048.pem'),
    clientsDir: join(tlsDir, 'clients'),
  };
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const st = await stat(path);
    out.set(path, `${st.mtimeMs}:${st.ino}:${(await readFile(path)).toString('base64')}`);
  }
  return out;
}

describe('initDevPki', () => {
  let root: string;
  let opts: DevPkiOptions;
  let first: DevPkiResult;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dev-pki-'));
    opts = optionsFor(root);
    first = await initDevPki(opts);
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('creates the CA, server material, DH params and the first client', () => {
    const roles = first.files.map((f) => `${f.role}:${f.created}`);
    expect(roles).toEqual([
      'ca-cert:true',
      'ca-key:true',
      'server-key:true',
      'server-cert:true',
      'dh-params:true',
      'client-key:true',
      'client-cert:true',
      'client-pem:true',
      'client-p12-pass:true',
      'client-p12:true',
      'client-trust:true',
    ]);
    expect(first.client?.name).toBe('rpc.user.1');
    expect(first.warnings).toEqual([]);
  });

  test('a second run creates nothing and changes nothing', async () => {
    const before = await snapshot(opts.tlsDir);
    const again = await initDevPki(opts);
    expect(again.files.filter((f) => f.created)).toEqual([]);
    expect(again.client).toBeUndefined();
    expect(await snapshot(opts.tlsDir)).toEqual(before);
  });

  test('private files are 0600, the CA key 0400, certificates 0644', async () => {
    const paths = devPkiPaths(opts.tlsDir);
    expect(await modeOf(paths.caKeyPath)).toBe(0o400);
    expect(await modeOf(paths.caCertPath)).toBe(0o644);
    expect(await modeOf(paths.caDir)).toBe(0o700);
    expect(await modeOf(opts.serverKeyPath)).toBe(0o600);
    expect(await modeOf(opts.serverCertPath)).toBe(0o644);
    const c = first.client!;
    for (const p of [c.keyPath, c.pemPath, c.p12Path, c.p12PassPath]) expect(await modeOf(p), p).toBe(0o600);
    expect(await modeOf(c.certPath)).toBe(0o644);
  });

  test('the server key opens only with the passphrase', async () => {
    const pem = await readFile(opts.serverKeyPath, 'utf8');
    expect(pem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    expect(() => createPrivateKey(pem)).toThrow();
    expect(() => createPrivateKey({ key: pem, passphrase: 'wrong' })).toThrow();
    const key = createPrivateKey({ key: pem, passphrase: PASSPHRASE });
    expect(new X509Certificate(await readFile(opts.serverCertPath)).checkPrivateKey(key)).toBe(true);
    expect((await openssl('pkey', '-in', opts.serverKeyPath, '-passin', `pass:${PASSPHRASE}`, '-noout')).code).toBe(0);
    expect((await openssl('pkey', '-in', opts.serverKeyPath, '-passin', 'pass:wrong', '-noout')).code).not.toBe(0);
  });

  test('the server certificate is signed by the CA for localhost, 127.0.0.1 and ::1', async () => {
    const paths = devPkiPaths(opts.tlsDir);
    const verify = await openssl('verify', '-CAfile', paths.caCertPath, '-purpose', 'sslserver', opts.serverCertPath);
    expect(verify.stdout).toMatch(/: OK/);
    const cert = new X509Certificate(await readFile(opts.serverCertPath));
    expect(cert.subjectAltName).toMatch(/^DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('::1')).toBe('::1');
  });

  test('the DH file is the 2048-bit ffdhe2048 group and node takes it without a warning', async () => {
    const check = await openssl('dhparam', '-in', opts.dhPath, '-check', '-text', '-noout');
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/DH Parameters: \(2048 bit\)/);
    expect(check.stdout + check.stderr).toMatch(/DH parameters appear to be ok/);
    const ref = join(root, 'ref-ffdhe2048.pem');
    expect((await openssl('genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', ref)).code).toBe(0);
    const refPem = (await openssl('pkeyparam', '-in', ref)).stdout;
    expect(await readFile(opts.dhPath, 'utf8')).toBe(refPem);
    expect(FFDHE2048_PEM).toBe(refPem);

    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      createSecureContext({ dhparam: await readFile(opts.dhPath) });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.message)).toEqual([]);
  });

  test('the client is installed in clientsDir under its openssl subject hash', async () => {
    const c = first.client!;
    const hash = (await openssl('x509', '-in', c.certPath, '-noout', '-subject_hash')).stdout.trim();
    expect(hash).toMatch(/^[0-9a-f]{8}$/);
    expect(c.subjectHash).toBe(hash);
    expect(basename(c.trustedPath)).toBe(`${hash}.0`);
    expect(await readFile(c.trustedPath, 'utf8')).toBe(await readFile(c.certPath, 'utf8'));
    expect((await openssl('verify', '-CApath', opts.clientsDir, '-partial_chain', '-purpose', 'sslclient', c.certPath)).code).toBe(0);
    expect(await readFile(c.pemPath, 'utf8')).toBe((await readFile(c.certPath, 'utf8')) + (await readFile(c.keyPath, 'utf8')));
    const info = await openssl('pkcs12', '-in', c.p12Path, '-passin', `file:${c.p12PassPath}`, '-nokeys');
    expect(info.code, info.stderr).toBe(0);
    expect(new X509Certificate(info.stdout).fingerprint256).toBe(c.fingerprint256);
  });

  test('a tls server built from these files accepts a client that uses the single PEM as cert and key', async () => {
    const c = first.client!;
    const seen: Array<{ authorized: boolean; err: unknown; cn: unknown }> = [];
    const server = createServer(
      {
        cert: await readFile(opts.serverCertPath),
        key: await readFile(opts.serverKeyPath),
        passphrase: PASSPHRASE,
        dhparam: await readFile(opts.dhPath),
        requestCert: true,
        rejectUnauthorized: true,
        ca: [await readFile(c.certPath, 'utf8')],
      },
      (socket) => {
        seen.push({ authorized: socket.authorized, err: socket.authorizationError, cn: socket.getPeerCertificate().subject?.CN });
        socket.end('ok');
      },
    );
    // The client leaf is trusted directly, as the server trusts its hashed client directory.
    allowPartialTrustChain(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const single = await readFile(c.pemPath);
      const caPem = await readFile(devPkiPaths(opts.tlsDir).caCertPath, 'utf8');
      const socket = await new Promise<TLSSocket>((resolve, reject) => {
        const s = connect({
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          ca: [caPem],
          cert: single,
          key: single,
        });
        s.once('secureConnect', () => resolve(s));
        s.once('error', reject);
      });
      const [data] = (await once(socket, 'data')) as [Buffer];
      expect(data.toString()).toBe('ok');
      socket.destroy();
      expect(seen).toEqual([{ authorized: true, err: null, cn: 'rpc.user.1' }]);
    } finally {
      server.close();
    }
  });
});

describe('the curl command that init prints', () => {
  test('curl --cacert CA --cert single.pem completes mutual TLS with a server built from the files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dev-pki-curl-'));
    const opts = optionsFor(root);
    const result = await initDevPki(opts);
    const client = result.client!;
    const server = createHttpsServer(
      {
        cert: await readFile(opts.serverCertPath),
        key: await readFile(opts.serverKeyPath),
        passphrase: PASSPHRASE,
        requestCert: true,
        rejectUnauthorized: true,
        ca: [await readFile(client.trustedPath, 'utf8')],
      },
      (req, res) => {
        const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
        res.end(JSON.stringify({ cn }));
      },
    );
    allowPartialTrustChain(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      const ok = await run('curl', [
        '-sS',
        '--resolve',
        `localhost:${new URL(url).port}:127.0.0.1`,
        '--cacert',
        result.paths.caCertPath,
        '--cert',
        client.pemPath,
        '-d',
        '{"action":"version"}',
        url,
      ]);
      expect(JSON.parse(ok.stdout)).toEqual({ cn: 'rpc.user.1' });
      // Without the client certificate the same call is refused.
      await expect(run('curl', ['-sS', '--resolve', `localhost:${new URL(url).port}:127.0.0.1`, '--cacert', result.paths.caCertPath, url])).rejects.toThrow();
    } finally {
      server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('initDevPki edge cases', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'dev-pki-edge-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('an existing server certificate is kept even when there is no CA yet', async () => {
    const opts = optionsFor(join(root, 'kept'));
    await mkdir(opts.tlsDir, { recursive: true });
    const keyPath = join(root, 'own.key.pem');
    expect(
      (
        await openssl(
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          keyPath,
          '-out',
          opts.serverCertPath,
          '-days',
          '30',
          '-subj',
          '/CN=own.example',
        )
      ).code,
    ).toBe(0);
    await writeFile(opts.serverKeyPath, await readFile(keyPath));
    const before = await readFile(opts.serverCertPath);
    const result = await initDevPki({ ...opts, serverKeyPassphrase: '' });
    expect(result.files.find((f) => f.role === 'server-cert')).toEqual({ role: 'server-cert', path: opts.serverCertPath, created: false });
    expect(result.files.find((f) => f.role === 'ca-cert')?.created).toBe(true);
    expect(await readFile(opts.serverCertPath)).toEqual(before);
    expect(result.warnings.join('\n')).toMatch(/not signed by the local CA/);
  });

  test('an empty passphrase writes a plain server key', async () => {
    const opts = optionsFor(join(root, 'plain'), '');
    await initDevPki(opts);
    const pem = await readFile(opts.serverKeyPath, 'utf8');
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(() => createPrivateKey(pem)).not.toThrow();
  });

  test('rsa-2048 works end to end, including a TLS 1.2 DHE handshake with the DH file', async () => {
    const opts = { ...optionsFor(join(root, 'rsa')), keyType: 'rsa-2048' as const };
    const result = await initDevPki(opts);
    expect(new X509Certificate(await readFile(opts.serverCertPath)).publicKey.asymmetricKeyType).toBe('rsa');
    expect(new X509Certificate(await readFile(result.client!.certPath)).publicKey.asymmetricKeyType).toBe('rsa');
    const server = createServer(
      {
        cert: await readFile(opts.serverCertPath),
        key: await readFile(opts.serverKeyPath),
        passphrase: PASSPHRASE,
        dhparam: await readFile(opts.dhPath),
        ciphers: 'DHE-RSA-AES128-GCM-SHA256',
      },
      (s) => s.end(),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const socket = connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername: 'localhost',
        ca: [await readFile(result.paths.caCertPath, 'utf8')],
        maxVersion: 'TLSv1.2',
        ciphers: 'DHE-RSA-AES128-GCM-SHA256',
      });
      await once(socket, 'secureConnect');
      expect(socket.getCipher().name).toBe('DHE-RSA-AES128-GCM-SHA256');
      expect(socket.getEphemeralKeyInfo()).toMatchObject({ type: 'DH', size: 2048 });
      socket.destroy();
    } finally {
      server.close();
    }
  });

  test('issueClient needs a CA, refuses unsafe names and never reissues an existing name', async () => {
    const opts = optionsFor(join(root, 'clients'));
    await expect(issueClient({ tlsDir: opts.tlsDir, clientsDir: opts.clientsDir, name: 'alice' })).rejects.toThrow(/nano-rpc certs init/);
    await initDevPki(opts);
    for (const bad of ['../evil', 'a/b', '.hidden', '', 'x'.repeat(65), 'sp ace', 'a..b']) {
      await expect(issueClient({ tlsDir: opts.tlsDir, clientsDir: opts.clientsDir, name: bad }), bad).rejects.toThrow(/invalid client name/);
    }
    const alice = await issueClient({ tlsDir: opts.tlsDir, clientsDir: opts.clientsDir, name: 'alice', days: 7 });
    expect(Math.round((alice.notAfter.getTime() - Date.now()) / 86_400_000)).toBe(7);
    await expect(issueClient({ tlsDir: opts.tlsDir, clientsDir: opts.clientsDir, name: 'alice' })).rejects.toThrow(/already exists/);
    await expect(issueClient({ tlsDir: opts.tlsDir, clientsDir: opts.clientsDir, name: 'bob', days: 0 })).rejects.toThrow(/--days/);
  });
});

describe('writeNewFile', () => {
  test('never overwrites and applies the mode', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-file-'));
    try {
      const path = join(dir, 'new', 'k.pem');
      expect(await writeNewFile(path, 'one', 0o600)).toEqual({ path, created: true });
      expect(await modeOf(join(dir, 'new'))).toBe(0o700);
      expect(await modeOf(path)).toBe(0o600);
      await chmod(path, 0o644);
      expect(await writeNewFile(path, 'two', 0o600)).toEqual({ path, created: false });
      expect(await readFile(path, 'utf8')).toBe('one');
      expect(await modeOf(path)).toBe(0o644);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
