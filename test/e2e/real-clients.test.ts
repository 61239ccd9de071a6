import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, type TestServer, trustClient } from '../support/server.js';
import { tempDir } from '../support/temp.js';

const PROBE = fileURLToPath(new URL('../support/nano-client-probe.cjs', import.meta.url));
const FRESH_COUNTS = { count: '1', unchecked: '0', cemented: '1' };
const GENESIS = '04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9';

let dir: { path: string; remove: () => Promise<void> };
let server: TestServer;
let files: { ca: string; cert: string; key: string; single: string };

beforeAll(async () => {
  dir = await tempDir();
  const ca: Identity = await makeCa('real clients CA');
  const client = await makeClient('rpc.user.1', ca);
  server = await startTestServer({ dir: dir.path, server: await makeServer(ca) });
  await trustClient(server, client);
  files = {
    ca: join(dir.path, 'ca.pem'),
    cert: join(dir.path, 'client.cert.pem'),
    key: join(dir.path, 'client.key.pem'),
    single: join(dir.path, 'client.pem'),
  };
  await writeFile(files.ca, ca.certPem);
  await writeFile(files.cert, client.certPem);
  await writeFile(files.key, client.keyPem, { mode: 0o600 });
  await writeFile(files.single, client.certPem + client.keyPem, { mode: 0o600 });
});

afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

const url = (): string => `https://localhost:${server.port}/`;
const curl = (...args: string[]) => run('curl', ['--silent', '--show-error', '-d', '{"action":"block_count"}', ...args]);

describe('curl, as the seed document uses it', () => {
  it('with --cacert, --cert and --key', async () => {
    const result = await curl('--cacert', files.ca, '--cert', files.cert, '--key', files.key, url());
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
  });

  it('with a single PEM and --insecure', async () => {
    const result = await curl('--insecure', '--cert', files.single, url());
    expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
  });

  it('over TLS 1.2 as well as 1.3', async () => {
    const result = await curl('--tlsv1.2', '--tls-max', '1.2', '--cacert', files.ca, '--cert', files.single, url());
    expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
  });

  it('is refused without a client certificate, and TLS 1.1 is refused outright', async () => {
    const noCert = await curl('--cacert', files.ca, url());
    expect(noCert.code).not.toBe(0);
    expect(noCert.stdout).toBe('');
    const old = await curl('--tlsv1.1', '--tls-max', '1.1', '--cacert', files.ca, '--cert', files.single, url());
    expect(old.code).not.toBe(0);
  });
});

describe('unmodified Nano RPC client packages from npm', () => {
  const probe = async (pkg: string, calls: unknown[][]): Promise<unknown[]> => {
    const result = await run(process.execPath, [PROBE, pkg, url(), files.ca, files.cert, files.key, JSON.stringify(calls)]);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as unknown[];
  };

  it('nano-node-rpc (node https, no Content-Type header)', async () => {
    expect(await probe('nano-node-rpc', [['block_count']])).toEqual([FRESH_COUNTS]);
  });

  it('@dev-ptera/nano-node-rpc (axios)', async () => {
    const [count, version] = await probe('@dev-ptera/nano-node-rpc', [['block_count'], ['version']]);
    expect(count).toEqual(FRESH_COUNTS);
    expect(version).toMatchObject({ network: 'dev', network_identifier: GENESIS });
  });
});
