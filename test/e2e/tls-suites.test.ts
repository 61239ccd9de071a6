import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl } from '../support/clients.js';
import { makeCa, makeClient, makeServer } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let clientArgs: string[];

beforeAll(async () => {
  dir = await tempDir();
  const ca = await makeCa('suites CA');
  // An RSA server key: the one with which OpenSSL would also offer static-RSA key exchange.
  server = await startTestServer({ dir: dir.path, server: await makeServer(ca, { keyType: 'rsa-2048' }) });
  const client = await makeClient('suites.client', ca);
  await trustClient(server, client);
  await writeFile(join(dir.path, 'client.cert.pem'), client.certPem);
  await writeFile(join(dir.path, 'client.key.pem'), client.keyPem);
  clientArgs = ['-cert', join(dir.path, 'client.cert.pem'), '-key', join(dir.path, 'client.key.pem')];
});

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

/** The suite openssl s_client negotiated, or undefined when the handshake failed. */
async function negotiate(...args: string[]): Promise<string | undefined> {
  const result = await openssl('s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', ...clientArgs, ...args);
  const suite = /Cipher is (\S+)/.exec(result.stdout)?.[1];
  return suite === undefined || suite === '(NONE)' ? undefined : suite;
}

describe('TLS suites offered', () => {
  // CBC with SHA-1 or SHA-2 MACs, and static-RSA key exchange (no forward secrecy, even with GCM).
  it.each([
    'AES128-SHA',
    'AES256-GCM-SHA384',
    'AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA384',
    'DHE-RSA-AES128-SHA256',
    'ARIA128-GCM-SHA256',
    'DHE-RSA-ARIA256-GCM-SHA384',
  ])('refuses TLS 1.2 with %s', async (suite) => {
    expect(await negotiate('-tls1_2', '-cipher', suite)).toBeUndefined();
  });

  it.each([
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-RSA-CHACHA20-POLY1305',
    'DHE-RSA-AES128-GCM-SHA256',
    'DHE-RSA-AES256-GCM-SHA384',
  ])('accepts TLS 1.2 with %s', async (suite) => {
    expect(await negotiate('-tls1_2', '-cipher', suite)).toBe(suite);
  });

  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'])('accepts TLS 1.3 with %s', async (suite) => {
    expect(await negotiate('-tls1_3', '-ciphersuites', suite)).toBe(suite);
  });

  it('prefers its own order: a client listing CBC first still gets AEAD', async () => {
    expect(await negotiate('-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384')).toBe('ECDHE-RSA-AES256-GCM-SHA384');
  });
});
