import { createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClientTrust } from '../../src/tls/client-trust.js';
import type { ServerMaterial } from '../../src/tls/material.js';
import { SecureServer } from '../../src/tls/secure-server.js';
import { installTrustedCert } from '../../src/tls/trust-dir.js';
import { LogCapture } from '../support/log-capture.js';
import { makeCa, makeClient, makeServer } from '../support/pki.js';
import { tempDir } from '../support/temp.js';

let dir: { path: string; remove: () => Promise<void> };
let trust: ClientTrust;
const logs = new LogCapture();

beforeAll(async () => {
  dir = await tempDir();
  // Polling far apart: the test rescans by hand.
  trust = await ClientTrust.open(dir.path, logs.logger, 60_000);
});

afterAll(async () => {
  trust?.close();
  await dir?.remove();
});

async function secureServer(): Promise<SecureServer> {
  const ca = await makeCa('listener CA');
  const id = await makeServer(ca);
  const material: ServerMaterial = { cert: id.certPem, key: createPrivateKey(id.keyPem), leaf: id.cert, chainLength: 1, warnings: [] };
  return new SecureServer({ material, trust, verboseLogging: false, logger: logs.logger, keepAliveTimeoutMs: 5000, expiryCheckMs: 60_000 }, (_req, res) =>
    res.end(),
  );
}

function listen(server: SecureServer): Promise<void> {
  return new Promise((resolve) => server.server.listen(0, '127.0.0.1', resolve));
}

function close(server: SecureServer): Promise<void> {
  return new Promise((resolve) => server.server.close(() => resolve()));
}

describe('SecureServer and a ClientTrust that outlives it', () => {
  it('stops applying trust changes once the server is closed', async () => {
    const closed = await secureServer();
    const live = await secureServer();
    await Promise.all([listen(closed), listen(live)]);
    expect((live.server.address() as AddressInfo).port).toBeGreaterThan(0);
    await close(closed);

    const closedSwaps = vi.spyOn(closed.server, 'setSecureContext');
    const liveSwaps = vi.spyOn(live.server, 'setSecureContext');
    const client = await makeClient('listener-client', await makeCa('client CA'));
    await installTrustedCert(dir.path, client.certPem);
    await trust.rescan();
    expect(trust.current().fingerprints.has(client.cert.fingerprint256)).toBe(true);

    // The server still open got the new list; the closed one is no longer told.
    expect(liveSwaps).toHaveBeenCalled();
    expect(closedSwaps).not.toHaveBeenCalled();
    await close(live);
  });
});
