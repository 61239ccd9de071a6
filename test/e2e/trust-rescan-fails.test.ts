import { rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestOn, rpc } from '../support/clients.js';
import { startServerWithClient, type ServerWithClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let setup: ServerWithClient;

beforeAll(async () => {
  dir = await tempDir();
  setup = await startServerWithClient(dir.path, 'rescan');
});

afterAll(async () => {
  await setup?.close();
  await dir?.remove();
});

describe('a trust rescan that cannot read the directory', () => {
  it('fails closed: a certificate whose file is gone is revoked and its open connection closed', async () => {
    const { server, client, ca } = setup;
    const socket = connect({ host: '127.0.0.1', port: server.port, cert: client.certPem, key: client.keyPem, ca: ca.certPem, servername: 'localhost' });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    expect(await requestOn(socket)).toContain('"count":"1"');

    // The path now names a file: reading it as a directory fails with ENOTDIR (not ENOENT), the
    // kind of error (like EMFILE) after which the previous trust list used to stay in force.
    await rename(server.clientsDir, `${server.clientsDir}.away`);
    await writeFile(server.clientsDir, 'not a directory');
    await server.logs.waitFor((line) => line.msg.startsWith('client_certs_path: rescan failed'), 2000);
    await server.logs.waitFor(
      (line) =>
        line.msg === 'client certificate revoked' && (line.client as { fingerprint256?: string } | undefined)?.fingerprint256 === client.cert.fingerprint256,
      2000,
    );
    await new Promise((resolve) => (socket.destroyed ? resolve(null) : socket.once('close', resolve)));

    // The failure repeats at every poll but is logged once; recovery is said once.
    const failures = (): number => server.logs.count((line) => line.msg.startsWith('client_certs_path: rescan failed'));
    await rm(server.clientsDir);
    await rename(`${server.clientsDir}.away`, server.clientsDir);
    await server.logs.waitFor((line) => line.msg === 'client_certs_path: rescan succeeded again', 3000);
    expect(failures()).toBe(1);
    // The directory is back exactly as it was: its certificates are trusted again.
    await server.logs.waitFor(
      (line) =>
        line.msg === 'client certificate trusted' &&
        (line.client as { fingerprint256?: string } | undefined)?.fingerprint256 === client.cert.fingerprint256 &&
        server.logs.lines.indexOf(line) > server.logs.lines.findIndex((l) => l.msg === 'client certificate revoked'),
      3000,
    );
    expect(await rpc(server.url, { action: 'block_count' }, { cert: client.certPem, key: client.keyPem, ca: ca.certPem })).toHaveProperty('count', '1');
  });
});
