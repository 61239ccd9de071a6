import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCertsCommand } from '../../src/cli/certs.js';
import { generateKeyPair, privateKeyPem } from '../../src/pki/keys.js';
import { issueCertificate } from '../../src/pki/x509.js';
import { rpc } from '../support/clients.js';
import type { LogLine } from '../support/log-capture.js';
import { makeCa, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let ca: Identity;
let twoNames: Identity;

async function certs(argv: string[]): Promise<string[]> {
  const out: string[] = [];
  const code = await runCertsCommand(argv, { out: (line) => out.push(line), err: (line) => out.push(`ERR ${line}`), env: {} });
  expect(code).toBe(0);
  return out;
}

beforeAll(async () => {
  dir = await tempDir();
  ca = await makeCa('identity CA');
  server = await startTestServer({ dir: dir.path, server: await makeServer(ca) });
  // Subject /CN=first/CN=second: the last CN is the most specific one.
  const keys = await generateKeyPair('ec-p256');
  const certPem = issueCertificate({
    subject: [
      ['CN', 'first'],
      ['CN', 'second'],
    ],
    publicKey: keys.publicKey,
    issuer: { certPem: ca.certPem, privateKey: ca.privateKey },
    privateKey: keys.privateKey,
    purposes: ['client'],
    days: 2,
  });
  twoNames = { certPem, keyPem: privateKeyPem(keys.privateKey), cert: new X509Certificate(certPem), privateKey: keys.privateKey };
});

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

describe('one client identity everywhere', () => {
  it('names a /CN=first/CN=second certificate "second" in the request log, trust-change logs, refusals, certs list and certs revoke', async () => {
    const expected = { commonName: 'second', fingerprint256: twoNames.cert.fingerprint256 };
    const named = (line: LogLine): boolean => (line.client as { fingerprint256?: string } | undefined)?.fingerprint256 === expected.fingerprint256;
    expect(twoNames.cert.subject).toContain('CN=first');

    await trustClient(server, twoNames);
    expect(server.logs.find((line) => line.msg === 'client certificate trusted' && named(line))?.client).toEqual(expected);

    expect(await rpc(server.url, { action: 'block_count' }, { cert: twoNames.certPem, key: twoNames.keyPem, ca: ca.certPem })).toHaveProperty('count', '1');
    expect((await server.logs.waitFor((line) => line.msg === 'rpc' && named(line))).client).toEqual(expected);

    const listed = await certs(['list', '--clients-dir', server.clientsDir, '--tls-dir', dir.path]);
    expect(listed.join('\n')).toContain(`CN=second sha256 ${expected.fingerprint256}`);
    expect(listed.join('\n')).not.toContain('CN=first');

    const revoked = await certs(['revoke', expected.fingerprint256, '--clients-dir', server.clientsDir, '--tls-dir', dir.path]);
    expect(revoked[0]).toBe(`revoked CN=second sha256 ${expected.fingerprint256}`);
    expect((await server.logs.waitFor((line) => line.msg === 'client certificate revoked' && named(line), 2000)).client).toEqual(expected);

    await expect(rpc(server.url, { action: 'block_count' }, { cert: twoNames.certPem, key: twoNames.keyPem, ca: ca.certPem })).rejects.toThrow();
    const refusal = await server.logs.waitFor((line) => line.msg.startsWith('TLS client refused') && named(line));
    expect(refusal.client).toEqual(expected);
    expect(refusal.kind).toBe('revoked');
  });
});
