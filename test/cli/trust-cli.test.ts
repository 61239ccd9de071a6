import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { CLI, startCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));

/** `nano-rpc ARGS` in `cwd`, as a user types it. */
const nanoRpc = (cwd: string, ...args: string[]) => run(process.execPath, [CLI, ...args], { cwd });

async function shippedConfig(folder: string, edit: (toml: string) => string = (toml) => toml): Promise<void> {
  const toml = (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0');
  await writeFile(join(folder, 'config-rpc.toml'), edit(toml));
}

async function listing(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).sort();
}

describe('a config typo never mints trust (nano-rpc serve)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    folder = await tempDir();
    await shippedConfig(folder.path);
    expect((await nanoRpc(folder.path, 'certs', 'init')).code).toBe(0);
  });
  afterAll(async () => {
    await folder?.remove();
  });

  it('fails naming the missing server files when both paths are mistyped, and adds nothing anywhere', async () => {
    await shippedConfig(folder.path, (toml) => toml.replaceAll('"tls/server.', '"tsl/server.'));
    const before = await listing(folder.path);
    const result = await nanoRpc(folder.path, 'serve');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`secure.server_cert_path ${join(folder.path, 'tsl', 'server.cert.pem')}`);
    expect(result.stderr).toContain(`secure.server_key_path ${join(folder.path, 'tsl', 'server.key.pem')}`);
    expect(result.stderr).toContain('no development PKI is made');
    expect(result.stderr).toContain('nano-rpc did not start.');
    expect(await listing(folder.path)).toEqual(before);
  });

  it('never installs a client into a trust directory another server shares', async () => {
    const other = join(folder.path, 'other');
    await mkdir(other);
    // A second server whose own files are missing but whose client_certs_path is the shared one.
    await shippedConfig(other, (toml) => toml.replace('client_certs_path = "tls/clients"', 'client_certs_path = "../tls/clients"'));
    const shared = await readdir(join(folder.path, 'tls', 'clients'));
    const result = await nanoRpc(other, 'serve');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`the trust directory ${join(folder.path, 'tls', 'clients')} (1 entry)`);
    expect(await readdir(join(folder.path, 'tls', 'clients'))).toEqual(shared);
    expect(await readdir(other)).toEqual(['config-rpc.toml']);
  });
});

describe('durable revocation (nano-rpc certs revoke, rehash, list and a running serve)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: RunningCli;
  let port: string;
  const clients = (): string => join(folder.path, 'tls', 'clients');

  /** A self-signed client certificate made with openssl. */
  async function makeClient(name: string): Promise<{ cert: string; key: string }> {
    const cert = join(folder.path, `${name}.cert.pem`);
    const key = join(folder.path, `${name}.key.pem`);
    const made = await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'extendedKeyUsage=clientAuth',
    ]);
    expect(made.code).toBe(0);
    return { cert, key };
  }

  /** A client certificate dropped into the trust directory as the seed describes, then `certs rehash`. */
  async function enrolWithRehash(name: string): Promise<{ cert: string; key: string; link: string }> {
    const { cert, key } = await makeClient(name);
    await writeFile(join(clients(), `${name}.cert.pem`), await readFile(cert));
    const rehash = await nanoRpc(folder.path, 'certs', 'rehash', 'tls/clients');
    const [, link] = /tls\/clients\/([0-9a-f]{8}\.\d+) -> \w+\.cert\.pem/.exec(rehash.stdout) ?? [];
    expect(link).toBeDefined();
    await server.waitForOutput(new RegExp(`"file":"${link!.replace('.', '\\.')}"[^\\n]*"msg":"client certificate trusted"`));
    return { cert, key, link: link! };
  }

  const curl = (who: { cert: string; key: string }) =>
    run('curl', ['--silent', '--show-error', '--insecure', '--cert', who.cert, '--key', who.key, '-d', '{"action":"block_count"}', `https://[::1]:${port}/`]);

  /** The server's JSON log lines (stdout) matching. */
  const logLines = (match: (line: Record<string, unknown>) => boolean): Array<Record<string, unknown>> =>
    server.stdout
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .filter(match);

  beforeAll(async () => {
    folder = await tempDir();
    await shippedConfig(folder.path);
    server = startCli(['serve'], { cwd: folder.path });
    [, port] = (await server.waitForOutput(/RPC listening address: https:\/\/\[::1\]:(\d+)\//)) as unknown as [string, string];
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await folder?.remove();
  });

  it('certs revoke removes the link and its in-directory target, says what it kept, and rehash cannot bring it back', async () => {
    const bob = await enrolWithRehash('bob');
    expect(JSON.parse((await curl(bob)).stdout)).toHaveProperty('count', '1');

    const revoke = await nanoRpc(folder.path, 'certs', 'revoke', 'bob');
    expect(revoke.code).toBe(0);
    const said = revoke.stdout.split('\n');
    expect(said[0]).toMatch(/^revoked CN=bob sha256 [0-9A-F:]{95}$/);
    expect(said).toContain(`removed ${join(clients(), bob.link)}`);
    expect(said).toContain(`removed ${join(clients(), 'bob.cert.pem')}`);
    expect(revoke.stdout).toMatch(/^kept {4}the client's own certificate and key files outside /m);
    await expect(lstat(join(clients(), 'bob.cert.pem'))).rejects.toThrow();
    await expect(lstat(bob.cert)).resolves.toBeDefined();

    await server.waitForOutput(/"client":\{"commonName":"bob"[^\n]*"msg":"client certificate revoked"/);
    expect((await curl(bob)).code).not.toBe(0);
    const [refusal] = await Promise.all([server.waitForOutput(/\{[^\n]*"kind":"revoked"[^\n]*"commonName":"bob"[^\n]*\}/)]);
    const line = JSON.parse(refusal[0]) as { msg: string };
    expect(line.msg).toBe('TLS client refused: client certificate was revoked (removed from client_certs_path)');

    const rehash = await nanoRpc(folder.path, 'certs', 'rehash', 'tls/clients');
    expect(rehash.stdout.trim()).toBe('nothing to link in tls/clients: every certificate already has a hashed name');
    expect((await nanoRpc(folder.path, 'certs', 'list')).stdout).not.toContain('CN=bob');
    expect((await curl(bob)).code).not.toBe(0);
    expect(logLines((l) => l.kind === 'misnamed')).toEqual([]);
  });

  it('a link deleted by hand: refusals say "revoked" (never advice to trust it) and the leftover file is named once', async () => {
    const carol = await enrolWithRehash('carol');
    const from = logLines(() => true).length;
    await rm(join(clients(), carol.link));
    await server.waitForOutput(/"commonName":"carol"[^\n]*"msg":"the revoked client certificate is still in client_certs_path as carol\.cert\.pem/);
    expect((await curl(carol)).code).not.toBe(0);
    await server.waitForOutput(/"kind":"revoked"[^\n]*"commonName":"carol"/);
    const advice = logLines(() => true)
      .slice(from)
      .filter((l) => typeof l.msg === 'string' && /carol/.test(JSON.stringify(l)) && /forgot to subject-hash|name it /.test(l.msg));
    expect(advice).toEqual([]);

    // certs revoke cleans up what was left behind, and says it was no longer trusted.
    const cleanup = await nanoRpc(folder.path, 'certs', 'revoke', 'carol');
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toMatch(/^was not trusted \(a file left behind\): CN=carol sha256 /m);
    expect(cleanup.stdout).toContain(`removed ${join(clients(), 'carol.cert.pem')}`);
    expect((await nanoRpc(folder.path, 'certs', 'rehash', 'tls/clients')).stdout).toMatch(/^nothing to link/);
  });

  it('a certificate that was never trusted, under a name that is not its hash, is refused as misnamed with the hint once', async () => {
    const dave = await makeClient('dave');
    await writeFile(join(clients(), 'dave.cert.pem'), await readFile(dave.cert));
    await server.waitForOutput(/dave\.cert\.pem is not trusted/);
    expect((await curl(dave)).code).not.toBe(0);
    const [text] = await server.waitForOutput(/\{[^\n]*"kind":"misnamed"[^\n]*\}/);
    const { msg } = JSON.parse(text) as { msg: string };
    expect(msg.split('forgot to subject-hash certificate filename?')).toHaveLength(2);
    expect(msg).toMatch(/; to trust it, name it [0-9a-f]{8}\.0$/);
  });
});
