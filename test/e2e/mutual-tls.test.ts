import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanTrustDir } from '../../src/tls/trust-dir.js';
import { subjectHash } from '../../src/pki/subject-hash.js';
import { post, rpc, tlsAgent } from '../support/clients.js';
import type { LogLine } from '../support/log-capture.js';
import { opensslClientChain } from '../support/openssl-pki.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const BLOCK_COUNT = { action: 'block_count' };
const FRESH_COUNTS = { count: '1', unchecked: '0', cemented: '1' };
const DAY = 86_400_000;

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let ca: Identity;
let serverId: Identity;
let good: Identity;

const refusals = (line: LogLine): boolean => line.msg.startsWith('TLS client refused');

/** Trusts a certificate (the server says so within a second). */
const enrol = (identity: Identity): Promise<string> => trustClient(server, identity);

/** Removes every name of a certificate from the directory and waits (at most 1 s) for the revocation. */
async function revoke(identity: Identity): Promise<void> {
  const scan = await scanTrustDir(server.clientsDir);
  for (const entry of scan.trusted.filter((e) => e.fingerprint256 === identity.cert.fingerprint256)) await unlink(entry.path);
  await server.logs.waitFor(
    (line) =>
      line.msg === 'client certificate revoked' && (line.client as { fingerprint256?: string } | undefined)?.fingerprint256 === identity.cert.fingerprint256,
    1000,
  );
}

async function expectRefused(identity: { certPem?: string; keyPem?: string } | undefined, kind: string): Promise<LogLine> {
  const before = server.logs.count(refusals);
  await expect(rpc(server.url, BLOCK_COUNT, { cert: identity?.certPem, key: identity?.keyPem, ca: ca.certPem })).rejects.toThrow();
  const line = await server.logs.waitFor((l) => refusals(l) && server.logs.lines.filter(refusals).indexOf(l) >= before);
  expect(line.kind).toBe(kind);
  expect(line.peer).toMatch(/^127\.0\.0\.1:\d+$/);
  // Exactly one line per refused handshake.
  expect(server.logs.count(refusals)).toBe(before + 1);
  return line;
}

beforeAll(async () => {
  dir = await tempDir();
  ca = await makeCa('nano-secure-rpc test CA');
  serverId = await makeServer(ca);
  good = await makeClient('rpc.user.1', ca);
  // A short expiry sweep, for the test of a certificate that expires while its connection is open.
  server = await startTestServer({ dir: dir.path, server: serverId, secure: 'verbose_logging = true', expiryCheckMs: 200 });
  await enrol(good);
});

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

describe('mutual TLS from a subject-hash directory', () => {
  it('answers a trusted client (leaf issued by a CA that is not itself trusted)', async () => {
    expect(await rpc(server.url, BLOCK_COUNT, { cert: good.certPem, key: good.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });

  it('answers a client using one PEM holding both certificate and key', async () => {
    const single = good.certPem + good.keyPem;
    expect(await rpc(server.url, BLOCK_COUNT, { cert: single, key: single, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });

  it('answers a self-signed client certificate installed under its hash, as the seed document does', async () => {
    const selfSigned = await makeClient('rpc.user.self', 'self');
    await enrol(selfSigned);
    expect(await rpc(server.url, BLOCK_COUNT, { cert: selfSigned.certPem, key: selfSigned.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });

  it('answers a client whose chain (leaf + intermediate, made by openssl) ends in a trusted root', async () => {
    const folder = join(dir.path, 'openssl-chain');
    await mkdir(folder);
    const { root, intermediate, leaf } = await opensslClientChain(folder, 'chained.user');
    await enrol(root);
    expect(await rpc(server.url, BLOCK_COUNT, { cert: leaf.certPem + intermediate.certPem, key: leaf.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });

  it('answers a client trusted through its intermediate CA in the directory', async () => {
    const folder = join(dir.path, 'openssl-intermediate');
    await mkdir(folder);
    const { intermediate, leaf } = await opensslClientChain(folder, 'intermediate.user');
    await enrol(intermediate);
    expect(await rpc(server.url, BLOCK_COUNT, { cert: leaf.certPem, key: leaf.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });

  it('refuses a client without a certificate', async () => {
    await expectRefused(undefined, 'no_certificate');
  });

  it('refuses a certificate from the same CA that is not in the directory (the CA itself is not trusted)', async () => {
    const stranger = await makeClient('rpc.user.stranger', ca);
    const line = await expectRefused(stranger, 'untrusted');
    // verbose_logging adds who was refused and over what.
    expect(line.subject).toContain('CN=rpc.user.stranger');
    expect(line.fingerprint256).toBe(stranger.cert.fingerprint256);
    expect(line.protocol).toBe('TLSv1.3');
    expect(typeof line.cipher).toBe('string');
  });

  it('refuses a client that sends its own self-signed root along with the leaf (the Nano node let it in)', async () => {
    const attackerRoot = await makeCa('attacker root');
    const attacker = await makeClient('rpc.user.1', attackerRoot);
    await expectRefused({ certPem: attacker.certPem + attackerRoot.certPem, keyPem: attacker.keyPem }, 'untrusted');
  });

  it('refuses an expired certificate even though it is in the directory', async () => {
    const expired = await makeClient('rpc.user.expired', ca, { notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
    await enrol(expired);
    await expectRefused(expired, 'expired');
  });

  it('refuses a not-yet-valid certificate', async () => {
    const early = await makeClient('rpc.user.early', ca, { notBefore: new Date(Date.now() + DAY), notAfter: new Date(Date.now() + 2 * DAY) });
    await enrol(early);
    await expectRefused(early, 'not_yet_valid');
  });

  it('refuses a certificate stored under a name that is not its subject hash, and says what the name should be', async () => {
    const misnamed = await makeClient('rpc.user.misnamed', 'self');
    await writeFile(join(server.clientsDir, 'rpcuser.cert.pem'), misnamed.certPem);
    await server.logs.waitFor((line) => line.file === 'rpcuser.cert.pem' && line.msg.includes('is not trusted'), 1000);
    const line = await expectRefused(misnamed, 'misnamed');
    expect(line.msg).toContain(`${subjectHash(misnamed.cert.raw)}.0`);
    expect(line.msg).toContain('forgot to subject-hash certificate filename?');
    await rm(join(server.clientsDir, 'rpcuser.cert.pem'));
  });
});

describe('live enrolment and revocation', () => {
  it('trusts a newly added certificate within one second, without a restart', async () => {
    const newcomer = await makeClient('rpc.user.new', ca);
    await expectRefused(newcomer, 'untrusted');
    await enrol(newcomer);
    expect(await rpc(server.url, BLOCK_COUNT, { cert: newcomer.certPem, key: newcomer.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });

  it('refuses new handshakes of a removed certificate within one second', async () => {
    const leaving = await makeClient('rpc.user.leaving', ca);
    await enrol(leaving);
    expect(await rpc(server.url, BLOCK_COUNT, { cert: leaving.certPem, key: leaving.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
    await revoke(leaving);
    // Said as what it is, with no advice to trust it again.
    const line = await expectRefused(leaving, 'revoked');
    expect(line.msg).toBe('TLS client refused: client certificate was revoked (removed from client_certs_path)');
  });

  it('closes the open keep-alive connection of a revoked client', async () => {
    const kept = await makeClient('rpc.user.keepalive', ca);
    await enrol(kept);
    const agent = tlsAgent({ cert: kept.certPem, key: kept.keyPem, ca: ca.certPem });
    try {
      expect((await post(server.url, JSON.stringify(BLOCK_COUNT), agent)).json).toEqual(FRESH_COUNTS);
      const closing = server.logs.waitFor(
        (line) =>
          line.msg.startsWith('closing an open connection') && (line.client as { fingerprint256?: string })?.fingerprint256 === kept.cert.fingerprint256,
        1000,
      );
      await revoke(kept);
      await closing;
      // The agent's connection is gone; a new one is refused.
      await expect(post(server.url, JSON.stringify(BLOCK_COUNT), agent)).rejects.toThrow();
    } finally {
      await agent.close();
    }
  });

  it('closes an open keep-alive connection once its client certificate expires', async () => {
    // Whole seconds: X.509 times carry no fractions. Long enough to enrol and answer one request
    // on a busy machine (≈ 0.7 s here).
    const notAfter = new Date(Math.ceil(Date.now() / 1000) * 1000 + 4000);
    const expiring = await makeClient('rpc.user.expiring', ca, { notAfter });
    await enrol(expiring);
    const agent = tlsAgent({ cert: expiring.certPem, key: expiring.keyPem, ca: ca.certPem });
    try {
      const closing = server.logs.waitFor(
        (line) =>
          line.msg === 'closing an open connection: its client certificate has expired' &&
          (line.client as { fingerprint256?: string })?.fingerprint256 === expiring.cert.fingerprint256,
        8000,
      );
      expect((await post(server.url, JSON.stringify(BLOCK_COUNT), agent)).json).toEqual(FRESH_COUNTS);
      expect(Date.now()).toBeLessThan(notAfter.getTime());
      await closing;
      expect(Date.now()).toBeGreaterThan(notAfter.getTime());
      await expect(post(server.url, JSON.stringify(BLOCK_COUNT), agent)).rejects.toThrow();
    } finally {
      await agent.close();
    }
  });

  it('does not let a revoked client back in through TLS session resumption', async () => {
    const resumer = await makeClient('rpc.user.resume', ca);
    await enrol(resumer);
    const first = await rawExchange({ cert: resumer.certPem, key: resumer.keyPem });
    expect(first.answer).toContain('"count":"1"');
    expect(first.session).toBeDefined();
    // Resumption is on: the saved session is accepted while the client is trusted.
    const resumed = await rawExchange({ session: first.session });
    expect(resumed.reused).toBe(true);
    expect(resumed.answer).toContain('"count":"1"');

    await revoke(resumer);
    const after = await rawExchange({ session: first.session });
    expect(after.answer).toBe('');
  });
});

describe('a trust directory that disappears', () => {
  it('refuses everyone until it is back (fail closed), then trusts its certificates again', async () => {
    const moved = `${server.clientsDir}.moved`;
    await rename(server.clientsDir, moved);
    await server.logs.waitFor((line) => line.msg.startsWith('client_certs_path no longer exists'), 1000);
    await expectRefused(good, 'revoked');
    await rename(moved, server.clientsDir);
    await server.logs.waitFor(
      (line) =>
        line.msg === 'client certificate trusted' &&
        (line.client as { fingerprint256?: string } | undefined)?.fingerprint256 === good.cert.fingerprint256 &&
        server.logs.lines.indexOf(line) > server.logs.lines.findIndex((l) => l.msg.startsWith('client_certs_path no longer exists')),
      2000,
    );
    expect(await rpc(server.url, BLOCK_COUNT, { cert: good.certPem, key: good.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
  });
});

describe('server certificate renewal', () => {
  it('serves a renewed certificate to new connections, and keeps the old one when the renewal does not load', async () => {
    const renewed = await makeServer(ca);
    await writeFile(join(dir.path, 'server.key.pem'), renewed.keyPem, { mode: 0o600 });
    await writeFile(join(dir.path, 'server.cert.pem'), renewed.certPem);
    await server.logs.waitFor((line) => line.msg === 'server certificate reloaded' && line.fingerprint256 === renewed.cert.fingerprint256, 2000);
    expect(await servedFingerprint()).toBe(renewed.cert.fingerprint256);

    await writeFile(join(dir.path, 'server.cert.pem'), 'not a certificate');
    await server.logs.waitFor((line) => line.msg.startsWith('the renewed server certificate/key did not load'), 2000);
    expect(await servedFingerprint()).toBe(renewed.cert.fingerprint256);
    expect(await rpc(server.url, BLOCK_COUNT, { cert: good.certPem, key: good.keyPem, ca: ca.certPem })).toEqual(FRESH_COUNTS);
    await writeFile(join(dir.path, 'server.cert.pem'), renewed.certPem);
  });
});

/** One HTTP request over a raw TLS socket, to see resumption and the session ticket. */
function rawExchange(options: { cert?: string; key?: string; session?: Buffer }): Promise<{ answer: string; reused: boolean; session: Buffer | undefined }> {
  return new Promise((resolve) => {
    let session: Buffer | undefined;
    let answer = '';
    let reused = false;
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port: server.port,
      ca: ca.certPem,
      servername: 'localhost',
      cert: options.cert,
      key: options.key,
      session: options.session,
    });
    socket.on('session', (ticket: Buffer) => {
      session = ticket;
    });
    socket.on('secureConnect', () => {
      reused = socket.isSessionReused();
      socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 24\r\nConnection: close\r\n\r\n{"action":"block_count"}');
    });
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answer: answer.split('\r\n\r\n')[1] ?? '', reused, session }));
  });
}

function servedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: server.port, ca: ca.certPem, servername: 'localhost', cert: good.certPem, key: good.keyPem }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}
