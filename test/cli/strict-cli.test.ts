import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/clients.js';
import { CLI } from '../support/cli.js';
import { makeCa, makeClient, makeServer, type Identity } from '../support/pki.js';
import { startTestServer, trustClient, type TestServer } from '../support/server.js';
import { tempDir } from '../support/temp.js';

// Every command and subcommand rejects unknown flags and stray words (with the nearest valid flag),
// has --help/-h with examples; `nano-rpc call` keeps its exit codes (0 answer, 1 {"error"}, 2 no
// answer) and says in words what went wrong. Run as a user types it, in a temporary folder.

let folder: { path: string; remove: () => Promise<void> };
const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { cwd: folder.path });

beforeAll(async () => {
  folder = await tempDir();
});
afterAll(async () => {
  await folder.remove();
});

describe('strict arguments everywhere', () => {
  it('serve --conf X --port 9999 extra starts nothing and names the nearest flag', async () => {
    const result = await cli('serve', '--conf', 'X', '--port', '9999', 'extra');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('serve: unknown option --conf (did you mean --config?)');
    expect(result.stdout).not.toContain('RPC listening');
  });

  it('serve refuses a stray word', async () => {
    const result = await cli('serve', 'extra');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('serve: unexpected argument "extra"');
  });

  it.each([
    [['call', 'block_count', '--urll', 'https://localhost:1/'], 'call: unknown option --urll (did you mean --url?)'],
    [['call', 'block_count', '--insecure=yes'], 'call: --insecure takes no value'],
    [['call', 'block_count', '--url'], 'call: --url needs a value'],
    [['certs', 'client', 'alice', '--day', '3'], 'certs client: unknown option --day (did you mean --days?)'],
    [['certs', 'list', 'extra'], 'certs list: unexpected argument "extra"'],
    [['certs', 'revoke'], 'certs revoke: expected 1 argument, got 0'],
    [['certs', 'clinet', 'alice'], 'unknown certs subcommand "clinet" (did you mean "client"?)'],
    [['certs', 'hash', '--olde', 'x.pem'], 'certs hash: unknown option --olde (did you mean --old?)'],
    [['serv'], 'unknown command "serv" (did you mean "serve"?)'],
    [['--versoin'], 'unknown option "--versoin" (did you mean "--version"?)'],
    [['version', 'extra'], 'version: unexpected argument "extra"'],
  ])('%j → usage error', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it.each([
    ['serve'],
    ['call'],
    ['certs'],
    ['certs', 'init'],
    ['certs', 'client'],
    ['certs', 'list'],
    ['certs', 'revoke'],
    ['certs', 'hash'],
    ['certs', 'rehash'],
    [],
  ])('%j has --help and -h with examples', async (...command) => {
    for (const flag of ['--help', '-h']) {
      const result = await cli(...command, flag);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^usage: nano-rpc/);
      expect(result.stdout).toContain('examples:');
    }
  });

  it('--version and -v print the version', async () => {
    for (const flag of ['--version', '-v']) {
      const result = await cli(flag);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^nano-secure-rpc \d+\.\d+\.\d+/);
    }
  });
});

describe('nano-rpc call says what went wrong, with its exit codes', () => {
  let ca: Identity;
  let client: Identity;
  let server: TestServer;
  let dir: { path: string; remove: () => Promise<void> };

  beforeAll(async () => {
    dir = await tempDir();
    ca = await makeCa('call CA');
    client = await makeClient('call.client', ca);
    server = await startTestServer({ dir: dir.path, server: await makeServer(ca) });
    await trustClient(server, client);
    await writeFile(join(folder.path, 'ca.pem'), ca.certPem);
    await writeFile(join(folder.path, 'client.cert.pem'), client.certPem);
    await writeFile(join(folder.path, 'client.key.pem'), client.keyPem);
    await writeFile(join(folder.path, 'client.pem'), client.certPem + client.keyPem);
  });
  afterAll(async () => {
    await server.stop();
    await dir.remove();
  });

  const flags = () => ['--url', server.url, '--cacert', 'ca.pem'];

  it('0 for an answer, 1 for an {"error"} answer (single PEM, or certificate and key)', async () => {
    const ok = await cli('call', 'block_count', ...flags(), '--cert', 'client.pem');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ count: '1' });
    const refused = await cli('call', 'stop', ...flags(), '--cert', 'client.cert.pem', '--key', 'client.key.pem');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toEqual({ error: 'RPC control is disabled' });
  });

  it('2 and words for a missing certificate file', async () => {
    const result = await cli('call', 'block_count', ...flags(), '--cert', 'nowhere.pem');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--cert nowhere.pem: cannot read the certificate file: ENOENT (no such file)');
  });

  it('2 and words for a certificate without its key', async () => {
    const result = await cli('call', 'block_count', ...flags(), '--cert', 'client.cert.pem');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--cert client.cert.pem: holds a certificate but no private key; pass its key with --key FILE');
  });

  it('2 and words for http:// sent to a TLS port', async () => {
    const result = await cli('call', 'block_count', '--url', server.url.replace('https://', 'http://'), '--cert', 'client.pem');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /http:\/\/127\.0\.0\.1:\d+\/ is a TLS port \(it answered: 400 Bad Request: the plain HTTP request was sent to an HTTPS port\. Use https:\/\/.*\); call https:\/\/ instead/,
    );
  });

  it('2 and words when no config is found and no --url given (it used to call a default address)', async () => {
    const result = await cli('call', 'block_count');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no config found at ${join(folder.path, 'config-rpc.toml')}: give the server's address with --url`);
  });

  it('2 for a usage error', async () => {
    expect((await cli('call')).code).toBe(2);
    expect((await cli('call', 'block_count', 'novalue', '--url', server.url)).code).toBe(2);
  });
});
