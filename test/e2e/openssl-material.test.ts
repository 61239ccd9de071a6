import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startService, type RunningService } from '../../src/service.js';
import { run } from '../support/clients.js';
import { LogCapture } from '../support/log-capture.js';
import { tempDir } from '../support/temp.js';
import { certificatesFromPem, subjectHash } from '../../src/pki/subject-hash.js';

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));
const FRESH_COUNTS = { count: '1', unchecked: '0', cemented: '1' };

let dir: { path: string; remove: () => Promise<void> };
let service: RunningService;
let logs: LogCapture;

async function script(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await run('bash', [join(SCRIPTS, name), ...args], { env: { ...process.env, ...env } });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/**
 * Everything here is made by the openssl CLI through the seed document's steps (scripts/): an
 * RSA server key encrypted with a passphrase, RFC 7919 DH parameters, and a self-signed client
 * certificate linked under its subject hash beside the original file. Our server must take it
 * unchanged.
 */
beforeAll(async () => {
  dir = await tempDir();
  await script('make-server-cert.sh', [join(dir.path, 'tls'), 'localhost'], { SERVER_KEY_PASSPHRASE: 'test' });
  await script('make-dhparam.sh', [join(dir.path, 'tls', 'dh2048.pem')]);
  await script('make-client-cert.sh', ['rpc.user.1', join(dir.path, 'tls', 'clients'), join(dir.path, 'users')]);
  await writeFile(
    join(dir.path, 'config-rpc.toml'),
    [
      'address = "127.0.0.1"',
      'port = 0',
      '[secure]',
      'enable = true',
      'server_cert_path = "tls/server.cert.pem"',
      'server_key_path = "tls/server.key.pem"',
      'server_key_passphrase = "test"',
      'server_dh_path = "tls/dh2048.pem"',
      'client_certs_path = "tls/clients"',
      '[ledger]',
      'path = "data"',
    ].join('\n'),
  );
  logs = new LogCapture();
  service = await startService(await loadConfig(join(dir.path, 'config-rpc.toml'), {}), logs.logger);
});

afterAll(async () => {
  await service?.stop();
  await dir?.remove();
});

describe('openssl-made material, unchanged', () => {
  it('serves curl with the openssl client certificate (single PEM), verifying the openssl server certificate', async () => {
    const result = await run('curl', [
      '-sS',
      '--cacert',
      join(dir.path, 'tls', 'server.cert.pem'),
      '--cert',
      join(dir.path, 'users', 'rpc.user.1.pem'),
      '-d',
      '{"action":"block_count"}',
      `https://localhost:${service.address.port}/`,
    ]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
  });

  it('honours the DH parameters for TLS 1.2 DHE suites (2048-bit RFC 7919 group)', async () => {
    expect(await dheTempKey(service.address.port)).toBe('DH, 2048 bits');
  });

  it('uses a weak 1024-bit DH file as configured, with a warning at start', async () => {
    await script('make-dhparam.sh', [join(dir.path, 'tls', 'dh1024.pem'), '1024']);
    const weakLogs = new LogCapture();
    const toml = (await readFile(join(dir.path, 'config-rpc.toml'), 'utf8')).replace('dh2048.pem', 'dh1024.pem').replace('path = "data"', 'path = "data-weak"');
    await writeFile(join(dir.path, 'config-weak.toml'), toml);
    const weak = await startService(await loadConfig(join(dir.path, 'config-weak.toml'), {}), weakLogs.logger);
    try {
      if (weakLogs.find((line) => line.msg.includes("this platform's OpenSSL refuses the 1024-bit DH parameters"))) {
        // Node 24 (OpenSSL 3.5): started without the file; DHE, if used, takes the built-in group.
        expect(await dheTempKey(weak.address.port)).not.toBe('DH, 1024 bits');
      } else {
        expect(weakLogs.find((line) => line.msg.includes('1024-bit DH parameters are weak'))).toBeDefined();
        expect(await dheTempKey(weak.address.port)).toBe('DH, 1024 bits');
      }
    } finally {
      await weak.stop();
    }
  });

  it('does not complain about the original certificate file beside its hash link (it is trusted through the link)', async () => {
    const linkTarget = await readFile(join(dir.path, 'tls', 'clients', 'rpc.user.1.cert.pem'), 'utf8');
    expect(linkTarget).toContain('BEGIN CERTIFICATE');
    expect(logs.find((line) => line.msg.includes('is not trusted'))).toBeUndefined();
  });

  it('agrees with openssl on the subject hash the link was named by', async () => {
    const theirs = await run('openssl', ['x509', '-in', join(dir.path, 'users', 'rpc.user.1.cert.pem'), '-noout', '-subject_hash']);
    const [der] = certificatesFromPem(await readFile(join(dir.path, 'users', 'rpc.user.1.cert.pem'), 'utf8'));
    expect(subjectHash(der!)).toBe(theirs.stdout.trim());
  });
});

/** The key exchange group a TLS 1.2 DHE handshake used, as openssl s_client reports it. */
async function dheTempKey(port: number): Promise<string | undefined> {
  const result = await run(
    'openssl',
    [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-tls1_2',
      '-cipher',
      'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0',
      '-cert',
      join(dir.path, 'users', 'rpc.user.1.cert.pem'),
      '-key',
      join(dir.path, 'users', 'rpc.user.1.key.pem'),
    ],
    { timeoutMs: 10_000 },
  );
  return /Server Temp Key: ([^\n]+)/.exec(result.stdout)?.[1]?.trim();
}
