import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestOn } from '../support/clients.js';
import { makeClient } from '../support/pki.js';
import { startServerWithClient, trustClient, type ServerWithClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let setup: ServerWithClient;

beforeAll(async () => {
  dir = await tempDir();
  setup = await startServerWithClient(dir.path, 'reneg');
});

afterAll(async () => {
  await setup?.close();
  await dir?.remove();
});

async function renegotiationIsRefused(): Promise<void> {
  const { server, client, ca } = setup;
  const socket = connect({
    host: '127.0.0.1',
    port: server.port,
    cert: client.certPem,
    key: client.keyPem,
    ca: ca.certPem,
    servername: 'localhost',
    maxVersion: 'TLSv1.2',
  });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const failed = new Promise<Error>((resolve) => socket.on('error', resolve));
  expect(socket.getProtocol()).toBe('TLSv1.2');
  expect(await requestOn(socket)).toContain('"count":"1"');

  // A real TLS 1.2 renegotiation (a new ClientHello on the open connection). Today's servers
  // complete it, and could be handed another certificate; ours answers no_renegotiation.
  const renegotiated = new Promise<null>((resolve, reject) => {
    const started = socket.renegotiate({ rejectUnauthorized: false }, (error) => (error ? reject(error) : resolve(null)));
    if (!started) reject(new Error('renegotiate() refused locally'));
  });
  const outcome = await Promise.race([renegotiated, failed]);
  expect(outcome).toBeInstanceOf(Error);
  expect((outcome as Error & { code?: string }).code).toBe('ERR_SSL_NO_RENEGOTIATION');
  await new Promise((resolve) => (socket.destroyed ? resolve(null) : socket.once('close', resolve)));

  // Every request of this run was logged under the identity admitted at the handshake.
  const clients = server.logs.lines.filter((line) => line.msg === 'rpc').map((line) => line.client);
  expect(clients.length).toBeGreaterThan(0);
  for (const logged of clients) expect(logged).toEqual({ commonName: 'reneg.client', fingerprint256: client.cert.fingerprint256 });
}

describe('TLS 1.2 renegotiation', () => {
  it('is refused on an admitted connection; its requests stay under the admitted identity', renegotiationIsRefused);

  it('is still refused after a trust change swapped the TLS context', async () => {
    await trustClient(setup.server, await makeClient('reneg.other', setup.ca));
    await renegotiationIsRefused();
  });
});
