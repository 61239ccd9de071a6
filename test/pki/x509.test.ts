import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { derGeneralizedTime, derInteger, derNamedBits, derOid, derSet, derTime, derUtcTime } from '../../src/pki/der-writer.js';
import { generateKeyPair, privateKeyPem } from '../../src/pki/keys.js';
import type { KeyPair, KeyType } from '../../src/pki/keys.js';
import { ipAddressBytes, issueCertificate } from '../../src/pki/x509.js';
import { openssl } from '../support/clients.js';

describe('der-writer', () => {
  test('OIDs, integers, named bits and SET ordering encode as DER', () => {
    expect(derOid('1.2.840.113549.1.1.11').toString('hex')).toBe('06092a864886f70d01010b');
    expect(derOid('2.5.29.17').toString('hex')).toBe('0603551d11');
    expect(derInteger(0).toString('hex')).toBe('020100');
    expect(derInteger(128).toString('hex')).toBe('02020080');
    expect(derInteger(Buffer.from([0, 0, 0x7f])).toString('hex')).toBe('02017f');
    expect(derInteger(Buffer.from([0xff])).toString('hex')).toBe('020200ff');
    // keyCertSign (5) + cRLSign (6): one byte 0x06, one unused bit.
    expect(derNamedBits([5, 6]).toString('hex')).toBe('03020106');
    expect(derNamedBits([0]).toString('hex')).toBe('03020780');
    expect(derSet(Buffer.from('0201ff', 'hex'), Buffer.from('020101', 'hex')).toString('hex')).toBe('3106020101' + '0201ff');
  });

  test('times switch from UTCTime to GeneralizedTime in 2050 (RFC 5280)', () => {
    const y2049 = new Date(Date.UTC(2049, 11, 31, 23, 59, 59));
    const y2050 = new Date(Date.UTC(2050, 0, 1, 0, 0, 0));
    expect(derUtcTime(y2049).subarray(2).toString()).toBe('491231235959Z');
    expect(derTime(y2049)[0]).toBe(0x17);
    expect(derTime(y2050)[0]).toBe(0x18);
    expect(derGeneralizedTime(y2050).subarray(2).toString()).toBe('20500101000000Z');
    expect(() => derUtcTime(y2050)).toThrow(/UTCTime/);
  });

  test('iPAddress bytes for v4, v6 and v4-mapped v6', () => {
    expect(ipAddressBytes('127.0.0.1')?.toString('hex')).toBe('7f000001');
    expect(ipAddressBytes('::1')?.toString('hex')).toBe('00000000000000000000000000000001');
    expect(ipAddressBytes('fe80::1:2')?.toString('hex')).toBe('fe800000000000000000000000010002');
    expect(ipAddressBytes('::ffff:10.0.0.1')?.toString('hex')).toBe('00000000000000000000ffff0a000001');
    expect(ipAddressBytes('2001:db8:0:0:1:0:0:1')?.toString('hex')).toBe('20010db8000000000001000000000001');
    expect(ipAddressBytes('localhost')).toBeUndefined();
  });
});

interface Fixture {
  dir: string;
  ca: KeyPair;
  caPem: string;
  server: KeyPair;
  serverPem: string;
  client: KeyPair;
  clientPem: string;
}

async function makeFixture(type: KeyType): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), `x509-${type}-`));
  const ca = await generateKeyPair(type);
  const caPem = issueCertificate({
    subject: [
      ['CN', 'nano-secure-rpc test CA'],
      ['O', 'nano-secure-rpc development'],
    ],
    publicKey: ca.publicKey,
    privateKey: ca.privateKey,
    issuer: 'self',
    isCA: true,
    days: 3650,
  });
  const issuer = { certPem: caPem, privateKey: ca.privateKey };
  const server = await generateKeyPair(type);
  const serverPem = issueCertificate({
    subject: [
      ['CN', 'localhost'],
      ['O', 'nano-secure-rpc development'],
    ],
    publicKey: server.publicKey,
    issuer,
    purposes: ['server'],
    days: 825,
    subjectAltNames: ['localhost', '127.0.0.1', '::1'],
  });
  const client = await generateKeyPair(type);
  const clientPem = issueCertificate({
    subject: [
      ['CN', 'rpc.user.1'],
      ['O', 'nano-secure-rpc development'],
    ],
    publicKey: client.publicKey,
    issuer,
    purposes: ['client'],
    days: 30,
  });
  await writeFile(join(dir, 'ca.pem'), caPem);
  await writeFile(join(dir, 'server.pem'), serverPem);
  await writeFile(join(dir, 'client.pem'), clientPem);
  return { dir, ca, caPem, server, serverPem, client, clientPem };
}

/** Connects and resolves with the client socket once the handshake and identity check are done, or the error. */
async function tryConnect(opts: ConnectionOptions): Promise<{ socket?: TLSSocket; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const socket = connect(opts);
    socket.once('secureConnect', () => resolve({ socket }));
    socket.once('error', (error) => resolve({ error }));
  });
}

for (const type of ['ec-p256', 'rsa-2048'] as const) {
  describe(`issueCertificate (${type})`, () => {
    let fx: Fixture;
    beforeAll(async () => {
      fx = await makeFixture(type);
    });
    afterAll(async () => {
      if (fx) await rm(fx.dir, { recursive: true, force: true });
    });

    test('openssl parses the CA and server certificate with the expected extensions', async () => {
      const ca = await openssl('x509', '-in', join(fx.dir, 'ca.pem'), '-noout', '-text');
      expect(ca.code).toBe(0);
      expect(ca.stdout).toMatch(/CA:TRUE, pathlen:0/);
      expect(ca.stdout).toMatch(/Basic Constraints: critical/);
      expect(ca.stdout).toMatch(/Certificate Sign, CRL Sign/);
      expect(ca.stdout).toContain(type === 'ec-p256' ? 'ecdsa-with-SHA256' : 'sha256WithRSAEncryption');
      const leaf = await openssl('x509', '-in', join(fx.dir, 'server.pem'), '-noout', '-text');
      expect(leaf.code).toBe(0);
      expect(leaf.stdout).toMatch(/TLS Web Server Authentication/);
      expect(leaf.stdout).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
      expect(leaf.stdout).toMatch(type === 'rsa-2048' ? /Digital Signature, Key Encipherment/ : /Digital Signature\n/);
      expect(leaf.stdout).toMatch(/Subject Key Identifier/);
      const caSki = /Subject Key Identifier: *\n *([0-9A-F:]+)/.exec(ca.stdout)?.[1];
      const leafAki = /Authority Key Identifier: *\n *(?:keyid:)?([0-9A-F:]+)/.exec(leaf.stdout)?.[1];
      expect(caSki).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
      expect(leafAki).toBe(caSki);
    });

    test('openssl verify accepts the chain and checks purposes', async () => {
      const caFile = join(fx.dir, 'ca.pem');
      expect((await openssl('verify', '-CAfile', caFile, join(fx.dir, 'server.pem'))).stdout).toMatch(/: OK/);
      expect((await openssl('verify', '-CAfile', caFile, '-purpose', 'sslserver', join(fx.dir, 'server.pem'))).code).toBe(0);
      expect((await openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', join(fx.dir, 'client.pem'))).code).toBe(0);
      const wrong = await openssl('verify', '-CAfile', caFile, '-purpose', 'sslclient', join(fx.dir, 'server.pem'));
      expect(wrong.code).not.toBe(0);
      expect(wrong.stdout + wrong.stderr).toMatch(/unsuitable certificate purpose|unsupported certificate purpose/);
    });

    test('node reads subject, SANs, validity and the issuer signature', () => {
      const ca = new X509Certificate(fx.caPem);
      const leaf = new X509Certificate(fx.serverPem);
      expect(ca.ca).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      expect(leaf.subject).toBe('CN=localhost\nO=nano-secure-rpc development');
      expect(leaf.issuer).toBe(ca.subject);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.checkPrivateKey(fx.server.privateKey)).toBe(true);
      expect(leaf.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
      const lifetimeDays = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 86_400_000;
      expect(Math.round(lifetimeDays)).toBe(825);
    });

    test('a tls server with the issued certificate passes hostname checks for localhost, 127.0.0.1 and ::1', async () => {
      const server = createServer({ cert: fx.serverPem, key: privateKeyPem(fx.server.privateKey) }, (s) => s.end('hi'));
      server.listen(0, '::');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        for (const host of ['localhost', '127.0.0.1', '::1']) {
          const { socket, error } = await tryConnect({ host, port, ca: [fx.caPem], servername: host.includes(':') || /^\d/.test(host) ? undefined : host });
          expect(error, host).toBeUndefined();
          expect(socket?.authorized, host).toBe(true);
          socket?.destroy();
        }
        const wrongName = await tryConnect({ host: '127.0.0.1', port, ca: [fx.caPem], servername: 'rpc.example.com' });
        expect(wrongName.error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
        const untrusted = await tryConnect({ host: '127.0.0.1', port, ca: [] });
        expect(untrusted.error?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      } finally {
        server.close();
      }
    });

    test('a tls server with requestCert accepts the client certificate and rejects a server-only one', async () => {
      const seen: Array<{ authorized: boolean; cn: unknown; error: unknown }> = [];
      const server = createServer(
        { cert: fx.serverPem, key: privateKeyPem(fx.server.privateKey), ca: [fx.caPem], requestCert: true, rejectUnauthorized: false },
        (s) => {
          seen.push({ authorized: s.authorized, cn: s.getPeerCertificate().subject?.CN, error: s.authorizationError });
          s.end();
        },
      );
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const ok = await tryConnect({
          host: '127.0.0.1',
          port,
          ca: [fx.caPem],
          servername: 'localhost',
          cert: fx.clientPem,
          key: privateKeyPem(fx.client.privateKey),
        });
        expect(ok.error).toBeUndefined();
        await once(ok.socket as TLSSocket, 'close');
        const bad = await tryConnect({
          host: '127.0.0.1',
          port,
          ca: [fx.caPem],
          servername: 'localhost',
          cert: fx.serverPem,
          key: privateKeyPem(fx.server.privateKey),
        });
        expect(bad.error).toBeUndefined();
        await once(bad.socket as TLSSocket, 'close');
        expect(seen).toEqual([
          { authorized: true, cn: 'rpc.user.1', error: null },
          { authorized: false, cn: 'localhost', error: 'INVALID_PURPOSE' },
        ]);
      } finally {
        server.close();
      }
    });
  });
}

describe('expired and malformed requests', () => {
  test('an expired certificate can be issued and is rejected as expired', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'x509-expired-'));
    try {
      const ca = await generateKeyPair('ec-p256');
      const caPem = issueCertificate({ subject: [['CN', 'expiry CA']], publicKey: ca.publicKey, privateKey: ca.privateKey, issuer: 'self', isCA: true });
      const leaf = await generateKeyPair('ec-p256');
      const now = Date.now();
      const pem = issueCertificate({
        subject: [['CN', 'rpc.expired']],
        publicKey: leaf.publicKey,
        issuer: { certPem: caPem, privateKey: ca.privateKey },
        purposes: ['client'],
        notBefore: new Date(now - 10 * 86_400_000),
        notAfter: new Date(now - 86_400_000),
      });
      expect(Date.parse(new X509Certificate(pem).validTo)).toBeLessThan(now);
      await writeFile(join(dir, 'ca.pem'), caPem);
      await writeFile(join(dir, 'leaf.pem'), pem);
      const result = await openssl('verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem'));
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toMatch(/certificate has expired/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses a non-CA issuer, a mismatched key, a missing self-signing key and bad names', async () => {
    const ca = await generateKeyPair('ec-p256');
    const other = await generateKeyPair('ec-p256');
    const caPem = issueCertificate({ subject: [['CN', 'CA']], publicKey: ca.publicKey, privateKey: ca.privateKey, issuer: 'self', isCA: true });
    const leafPem = issueCertificate({ subject: [['CN', 'leaf']], publicKey: other.publicKey, issuer: { certPem: caPem, privateKey: ca.privateKey } });
    expect(() => issueCertificate({ subject: [['CN', 'x']], publicKey: other.publicKey, issuer: { certPem: leafPem, privateKey: other.privateKey } })).toThrow(
      /not a CA/,
    );
    expect(() => issueCertificate({ subject: [['CN', 'x']], publicKey: other.publicKey, issuer: { certPem: caPem, privateKey: other.privateKey } })).toThrow(
      /does not match/,
    );
    expect(() => issueCertificate({ subject: [['CN', 'x']], publicKey: other.publicKey, issuer: 'self' })).toThrow(/privateKey/);
    expect(() =>
      issueCertificate({ subject: [['CN', 'x']], publicKey: other.publicKey, privateKey: other.privateKey, issuer: 'self', subjectAltNames: ['bad name'] }),
    ).toThrow(/invalid DNS name/);
    expect(() => issueCertificate({ subject: [['C', 'usa']], publicKey: other.publicKey, privateKey: other.privateKey, issuer: 'self' })).toThrow(/country/);
  });
});
