import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { CLI, startCli, type RunningCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const SHIPPED_CONFIG = fileURLToPath(new URL('../../config-rpc.toml', import.meta.url));
const FRESH_COUNTS = { count: '1', unchecked: '0', cemented: '1' };

/** The shipped config, on an ephemeral port so tests don't collide with a running server. */
async function shippedConfigIn(folder: string): Promise<void> {
  const toml = (await readFile(SHIPPED_CONFIG, 'utf8')).replace('port = 7076', 'port = 0');
  await writeFile(join(folder, 'config-rpc.toml'), toml);
}

async function mode(path: string): Promise<string> {
  return ((await stat(path)).mode & 0o777).toString(8);
}

/** Runs the printed curl command line as a shell would (it is what the user copies). */
function runPrinted(commandLine: string, cwd: string) {
  return run('bash', ['-c', commandLine], { cwd });
}

describe('nano-rpc serve on a fresh folder (the shipped config, no preparation)', () => {
  let folder: { path: string; remove: () => Promise<void> };
  let server: RunningCli;
  let port: string;

  beforeAll(async () => {
    folder = await tempDir();
    await shippedConfigIn(folder.path);
    server = startCli(['serve'], { cwd: folder.path });
    [, port] = (await server.waitForOutput(/RPC listening address: https:\/\/\[::1\]:(\d+)\//)) as unknown as [string, string];
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await folder?.remove();
  });

  it('says it made a development PKI, with private keys 0600 and the CA key 0400', async () => {
    expect(server.stdout).toContain('created a development PKI');
    const tls = join(folder.path, 'tls');
    expect(await mode(join(tls, 'ca', 'ca.key.pem'))).toBe('400');
    expect(await mode(join(tls, 'server.key.pem'))).toBe('600');
    expect(await mode(join(tls, 'users', 'rpc.user.1.key.pem'))).toBe('600');
    expect(await mode(join(tls, 'users', 'rpc.user.1.pem'))).toBe('600');
    expect(await readFile(join(tls, 'server.key.pem'), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
    const hash = (await run('openssl', ['x509', '-in', join(tls, 'users', 'rpc.user.1.cert.pem'), '-noout', '-subject_hash'])).stdout.trim();
    expect(await readFile(join(tls, 'clients', `${hash}.0`), 'utf8')).toBe(await readFile(join(tls, 'users', 'rpc.user.1.cert.pem'), 'utf8'));
  });

  it('prints curl commands that work as printed (--cacert and --insecure)', async () => {
    const [cacert] = (await server.waitForOutput(/curl --cacert [^\n]+/)) as unknown as [string];
    const [insecure] = (await server.waitForOutput(/curl --insecure [^\n]+/)) as unknown as [string];
    expect(cacert).toContain(`:${port}/`);
    for (const line of [cacert, insecure]) {
      const result = await runPrinted(`${line} --silent --show-error`, folder.path);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
    }
  });

  it('answers `nano-rpc call` with the dev PKI found from the config', async () => {
    // No --url: address, port and certificates come from config-rpc.toml and tls/.
    const config = (await readFile(join(folder.path, 'config-rpc.toml'), 'utf8')).replace('port = 0', `port = ${port}`);
    await writeFile(join(folder.path, 'config-rpc.toml'), config);
    // Run as npx runs the bin: the file itself, through its shebang (so it must be executable).
    const result = await run(CLI, ['call', 'block_count'], { cwd: folder.path });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
    const control = await run(process.execPath, [CLI, 'call', 'stop', `--url=https://[::1]:${port}/`], { cwd: folder.path });
    expect(control.code).toBe(1);
    expect(JSON.parse(control.stdout)).toEqual({ error: 'RPC control is disabled' });
    // key:=JSON is sent as written: 10^30 stays exact (a re-serialised double would not).
    const exact = await run(process.execPath, [CLI, 'call', 'raw_to_nano', 'amount:=1000000000000000000000000000000'], { cwd: folder.path });
    expect(JSON.parse(exact.stdout)).toEqual({ amount: '1' });
    const typed = await run(process.execPath, [CLI, 'call', 'nano_to_raw', 'amount=2'], { cwd: folder.path });
    expect(JSON.parse(typed.stdout)).toEqual({ amount: '2000000000000000000000000000000' });
  });

  it('stops gracefully on SIGTERM', async () => {
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout).toContain('"msg":"stopped"');
  });

  it('a second start keeps every file as it was and makes nothing new', async () => {
    const before = await readFile(join(folder.path, 'tls', 'server.cert.pem'), 'utf8');
    const again = startCli(['serve'], { cwd: folder.path });
    try {
      await again.waitForOutput(/RPC listening address/);
      expect(again.stdout).not.toContain('created a development PKI');
      expect(await readFile(join(folder.path, 'tls', 'server.cert.pem'), 'utf8')).toBe(before);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});

describe('bad configuration stops the start before any socket is bound, one line per problem', () => {
  let folder: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    folder = await tempDir();
  });
  afterAll(async () => {
    await folder?.remove();
  });

  const serveWith = async (toml: string, env: NodeJS.ProcessEnv = {}) => {
    await writeFile(join(folder.path, 'bad.toml'), toml);
    return run(process.execPath, [CLI, 'serve', '--config', 'bad.toml'], { cwd: folder.path, env: { ...process.env, ...env } });
  };

  it('reports a TOML syntax error with line and column', async () => {
    const result = await serveWith('port = 7076\n[secure\nenable = true\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: bad\.toml:2:\d+: /m);
    expect(result.stderr).toContain('nano-rpc did not start.');
  });

  it('reports every unknown key (with the nearest name) and wrong type, naming the key path and line', async () => {
    const result = await serveWith('prot = 7076\nport = 0\naddress = "127.0.0.1"\n[secure]\nenable = "yes"\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error: bad.toml:1: unknown key "prot" (did you mean "port"?)');
    expect(result.stderr).toMatch(/error: bad\.toml:5: secure\.enable must be a boolean/);
    expect(result.stdout).not.toContain('RPC listening address');
  });

  it('says "wrong passphrase" (not OpenSSL\'s "bad decrypt") for an encrypted key', async () => {
    await run('bash', [fileURLToPath(new URL('../../scripts/make-server-cert.sh', import.meta.url)), join(folder.path, 'tls')], {
      env: { ...process.env, SERVER_KEY_PASSPHRASE: 'right' },
    });
    const toml =
      'port = 0\naddress = "127.0.0.1"\n[secure]\nenable = true\nserver_cert_path = "tls/server.cert.pem"\nserver_key_path = "tls/server.key.pem"\nserver_key_passphrase = "wrong"\n';
    const wrong = await serveWith(toml);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/secure\.server_key_passphrase: wrong passphrase/);
    expect(wrong.stderr).not.toMatch(/bad decrypt/i);
    const missing = await serveWith(toml.replace('server_key_passphrase = "wrong"\n', ''));
    expect(missing.stderr).toMatch(/is encrypted; set server_key_passphrase/);
  });

  it('names the key and path of an unreadable file', async () => {
    const result = await serveWith(
      'port = 0\naddress = "127.0.0.1"\n[secure]\nenable = true\nserver_cert_path = "missing.pem"\nserver_key_path = "tls/server.key.pem"\nserver_key_passphrase = "right"\n',
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/secure\.server_cert_path: cannot read .*missing\.pem/);
  });

  it('accepts the key and certificate as PEM contents from the environment (\\n escapes), env winning over the file', async () => {
    const cert = await readFile(join(folder.path, 'tls', 'server.cert.pem'), 'utf8');
    const key = await readFile(join(folder.path, 'tls', 'server.key.pem'), 'utf8');
    await writeFile(
      join(folder.path, 'env.toml'),
      'port = 0\naddress = "127.0.0.1"\n[secure]\nenable = true\nserver_cert_path = "nowhere.pem"\nserver_key_path = "nowhere.key"\n[ledger]\npath = "env-data"\n',
    );
    const env = {
      NANO_RPC_SERVER_CERT: cert.replaceAll('\n', '\\n'),
      NANO_RPC_SERVER_KEY: key.replaceAll('\n', '\r\n'),
      NANO_RPC_SERVER_KEY_PASSPHRASE: 'right',
    };
    const server = startCli(['serve', '--config', 'env.toml'], { cwd: folder.path, env });
    try {
      const [, port] = (await server.waitForOutput(/RPC listening address: https:\/\/127\.0\.0\.1:(\d+)\//)) as unknown as [string, string];
      const result = await run('curl', ['-sS', '--insecure', '-d', '{"action":"block_count"}', `https://127.0.0.1:${port}/`]);
      expect(JSON.parse(result.stdout)).toEqual(FRESH_COUNTS);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const broken = await run(process.execPath, [CLI, 'serve', '--config', 'env.toml'], {
      cwd: folder.path,
      env: { ...process.env, ...env, NANO_RPC_SERVER_CERT: 'garbage' },
    });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('NANO_RPC_SERVER_CERT');
  });
});
