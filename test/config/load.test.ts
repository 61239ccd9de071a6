import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/problems.js';
import { configPathFrom, loadConfig } from '../../src/config/load.js';

let dir: string;
let prevCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nano-rpc-config-'));
  prevCwd = process.cwd();
  // Messages name the file relative to the cwd, so run inside the temp folder.
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(prevCwd);
  await rm(dir, { recursive: true, force: true });
});

async function write(text: string, name = 'config-rpc.toml'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const file = await write(text);
  try {
    await loadConfig(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.message).toBe(e.problems.join('\n'));
    return e.problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults and values', () => {
  it('applies the node defaults to an empty file and freezes the result', async () => {
    const c = await loadConfig(await write(''), {});
    expect(c).toMatchObject({
      file: path.join(dir, 'config-rpc.toml'),
      dir,
      address: '::1',
      port: 7076,
      enableControl: false,
      maxJsonDepth: 20,
      maxRequestSize: 1048576,
      logRpc: true,
      ledgerPath: path.join(dir, 'data'),
      secure: {
        enable: false,
        verboseLogging: false,
        serverCertPath: '',
        serverKeyPath: '',
        serverKeyPassphrase: '',
        serverDhPath: '',
        clientCertsPath: '',
        serverCertSource: '',
      },
      warnings: [],
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.secure)).toBe(true);
    expect(Object.isFrozen(c.warnings)).toBe(true);
  });

  it('reads every key and resolves relative paths against the config folder', async () => {
    await import('node:fs/promises').then((fs) => fs.mkdir(path.join(dir, 'etc')));
    const file = await write(
      [
        'address = "::ffff:127.0.0.1"',
        'port = 0',
        'enable_control = true',
        'max_json_depth = 5',
        'max_request_size = 1024',
        '[secure]',
        'enable = true',
        'verbose_logging = true',
        'server_cert_path = "tls/c.pem"',
        'server_key_path = "/abs/k.pem"',
        'server_key_passphrase = "pw"',
        'server_dh_path = "tls/dh.pem"',
        'client_certs_path = "tls/clients"',
        '[process]',
        'io_threads = 4',
        'ipc_address = "::1"',
        'ipc_port = 7077',
        'num_ipc_connections = 8',
        '[logging]',
        'log_rpc = false',
        '[ledger]',
        'path = "../ledger"',
      ].join('\n'),
      'etc/rpc.toml',
    );
    const etc = path.join(dir, 'etc');
    const c = await loadConfig(file, {});
    expect(c).toMatchObject({
      address: '127.0.0.1',
      port: 0,
      enableControl: true,
      maxJsonDepth: 5,
      maxRequestSize: 1024,
      logRpc: false,
      ledgerPath: path.join(dir, 'ledger'),
      secure: {
        enable: true,
        verboseLogging: true,
        serverCertPath: path.join(etc, 'tls/c.pem'),
        serverKeyPath: '/abs/k.pem',
        serverKeyPassphrase: 'pw',
        serverDhPath: path.join(etc, 'tls/dh.pem'),
        clientCertsPath: path.join(etc, 'tls/clients'),
        serverCertSource: `file ${path.join(etc, 'tls/c.pem')}`,
        serverKeySource: 'file /abs/k.pem',
        serverKeyPassphraseSource: 'config secure.server_key_passphrase',
      },
      warnings: [],
    });
  });

  it.each([
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::', '::'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:0.0.0.0', '0.0.0.0'],
    ['127.0.0.1', '127.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['2001:DB8::0:1', '2001:db8::1'],
  ])('normalises address %s to %s', async (given, expected) => {
    const c = await loadConfig(
      await write(`address = "${given}"\n[secure]\nenable = true\nserver_cert_path = "c"\nserver_key_path = "k"\nclient_certs_path = "d"\n`),
      {},
    );
    expect(c.address).toBe(expected);
  });

  it('loads the shipped config-rpc.toml cleanly', async () => {
    const shipped = path.join(prevCwd, 'config-rpc.toml');
    const c = await loadConfig(shipped, {});
    const root = path.dirname(shipped);
    expect(c).toMatchObject({
      address: '::1',
      port: 7076,
      enableControl: false,
      maxJsonDepth: 20,
      maxRequestSize: 1048576,
      logRpc: true,
      ledgerPath: path.join(root, 'data'),
      secure: {
        enable: true,
        verboseLogging: false,
        serverCertPath: path.join(root, 'tls/server.cert.pem'),
        serverKeyPath: path.join(root, 'tls/server.key.pem'),
        serverKeyPassphrase: 'change-me-dev-passphrase',
        serverDhPath: path.join(root, 'tls/dh2048.pem'),
        clientCertsPath: path.join(root, 'tls/clients'),
      },
      connections: { handshakeTimeoutMs: 5000, maxConnections: 2048, maxConnectionsPerAddress: 128 },
      warnings: [],
    });
  });

  it('reads [connections], with defaults, and reports a bad value on its line', async () => {
    expect((await loadConfig(await write(''), {})).connections).toEqual({ handshakeTimeoutMs: 5000, maxConnections: 2048, maxConnectionsPerAddress: 128 });
    const c = await loadConfig(await write('[connections]\nhandshake_timeout_ms = 2500\nmax_connections = 300\nmax_connections_per_address = 16\n'), {});
    expect(c.connections).toEqual({ handshakeTimeoutMs: 2500, maxConnections: 300, maxConnectionsPerAddress: 16 });
    expect(Object.isFrozen(c.connections)).toBe(true);
    expect(await problemsOf('port = 0\n[connections]\nhandshake_timeout_ms = 50\nmax_connections = 0\nmax_conections_per_address = 4\n')).toEqual([
      'config-rpc.toml:5: unknown key "connections.max_conections_per_address" (did you mean "connections.max_connections_per_address"?)',
      'config-rpc.toml:3: connections.handshake_timeout_ms must be an integer from 100 to 120000 (got integer 50)',
      'config-rpc.toml:4: connections.max_connections must be an integer from 1 to 1000000 (got integer 0)',
    ]);
  });
});

describe('loadConfig problems', () => {
  it('names a missing config file', async () => {
    const missing = path.join(dir, 'nope.toml');
    await expect(loadConfig(missing, {})).rejects.toThrow(`nope.toml: cannot read config file ${missing}: ENOENT (no such file)`);
  });

  it('reports a TOML syntax error with 1-based line and column', async () => {
    expect(await problemsOf('port = 7076\n[secure]\nenable = yes\n')).toEqual([
      'config-rpc.toml:3:10: Unexpected character, expecting string, number, datetime, boolean, inline array or inline table',
    ]);
  });

  it('suggests the nearest key for a typo, with its line', async () => {
    expect(await problemsOf('[secure]\nenable = false\nserver_cert = "x"\n')).toEqual([
      'config-rpc.toml:3: unknown key "secure.server_cert" (did you mean "secure.server_cert_path"?)',
    ]);
  });

  it('reports unknown keys without a suggestion when nothing is close, and unknown tables', async () => {
    expect(await problemsOf('colour = "blue"\n\n[securee]\nenable = true\n')).toEqual([
      'config-rpc.toml:1: unknown key "colour"',
      'config-rpc.toml:3: unknown key "securee" (did you mean "secure"?)',
    ]);
  });

  it('points a key written above its table header to the right table', async () => {
    expect(await problemsOf('log_rpc = false\n')).toEqual(['config-rpc.toml:1: unknown key "log_rpc" (did you mean "logging.log_rpc"?)']);
  });

  it('finds quoted and dotted keys', async () => {
    expect(await problemsOf('# c\n"port" = "x"\nsecure.enable = "yes"\nsecure."verbose_loging" = true\n')).toEqual([
      'config-rpc.toml:2: port must be an integer (got string "x")',
      'config-rpc.toml:4: unknown key "secure.verbose_loging" (did you mean "secure.verbose_logging"?)',
      'config-rpc.toml:3: secure.enable must be a boolean (got string "yes")',
    ]);
  });

  it('reports every type and range problem at once', async () => {
    const problems = await problemsOf(
      [
        'address = "localhost"',
        'port = 70000',
        'enable_control = 1',
        'max_json_depth = 0',
        'max_request_size = 1.5',
        '[secure]',
        'enable = "yes"',
        'server_key_passphrase = 12345678',
        'server_dh_path = 1979-05-27',
        '[process]',
        'io_threads = "4"',
        'ipc_port = -1',
        '[logging]',
        'log_rpc = [true]',
        '[ledger]',
        'path = ""',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'config-rpc.toml:2: port must be an integer from 0 to 65535 (got integer 70000)',
        'config-rpc.toml:3: enable_control must be a boolean (got integer 1)',
        'config-rpc.toml:4: max_json_depth must be an integer from 1 to 255 (got integer 0)',
        'config-rpc.toml:5: max_request_size must be an integer (got float 1.5)',
        'config-rpc.toml:7: secure.enable must be a boolean (got string "yes")',
        // The passphrase is never echoed, even when it has the wrong type.
        'config-rpc.toml:8: secure.server_key_passphrase must be a string (got integer)',
        'config-rpc.toml:9: secure.server_dh_path must be a string (got datetime 1979-05-27)',
        'config-rpc.toml:11: process.io_threads must be an integer (got string "4")',
        'config-rpc.toml:12: process.ipc_port must be an integer from 0 to 65535 (got integer -1)',
        'config-rpc.toml:14: logging.log_rpc must be a boolean (got array)',
        'config-rpc.toml:16: ledger.path must not be empty (got string "")',
        'config-rpc.toml:1: address must be an IP address such as "::1", "::ffff:127.0.0.1" or "127.0.0.1" (got string "localhost")',
      ]),
    );
    expect(problems).toHaveLength(12);
    expect(problems.join('\n')).not.toContain('12345678');
  });

  it('reports a table given as a value', async () => {
    expect(await problemsOf('secure = true\n')).toEqual(['config-rpc.toml:1: secure must be a table (got boolean true)']);
  });

  it('rejects secure.enable without a certificate or key, naming the keys', async () => {
    expect(await problemsOf('[secure]\nenable = true\nserver_key_path = ""\n')).toEqual([
      'config-rpc.toml:2: secure.server_cert_path must be set when secure.enable = true (or set NANO_RPC_SERVER_CERT)',
      'config-rpc.toml:3: secure.server_key_path must be set when secure.enable = true (or set NANO_RPC_SERVER_KEY)',
    ]);
  });
});

describe('loadConfig warnings', () => {
  it('warns about plain HTTP and control on a non-loopback address', async () => {
    const c = await loadConfig(await write('address = "::ffff:0.0.0.0"\nenable_control = true\n'), {});
    expect(c.warnings).toEqual([
      'config-rpc.toml:1: address 0.0.0.0 serves plain HTTP on a non-loopback address; set secure.enable = true or bind to ::1',
      'WARNING: control-level RPCs are enabled on non-local address 0.0.0.0, potentially allowing wallet access outside local computer',
    ]);
  });

  it('does not warn for loopback control', async () => {
    const c = await loadConfig(await write('address = "127.0.0.2"\nenable_control = true\n'), {});
    expect(c.warnings).toEqual([]);
  });

  it('warns when TLS has no client certificates', async () => {
    const c = await loadConfig(await write('address = "::"\n[secure]\nenable = true\nserver_cert_path = "c.pem"\nserver_key_path = "k.pem"\n'), {});
    expect(c.warnings).toEqual([
      'config-rpc.toml:3: secure.client_certs_path is empty: TLS without client certificates, anyone who can reach the port can call the RPC',
    ]);
  });
});

describe('environment overrides', () => {
  const cert = '-----BEGIN CERTIFICATE-----\nMIIBAA==\n-----END CERTIFICATE-----';
  const key = '-----BEGIN PRIVATE KEY-----\nMIIBAA==\n-----END PRIVATE KEY-----';

  it('takes PEM contents from env, with literal \\n and CRLF, over the file', async () => {
    const file = await write('[secure]\nenable = true\nserver_cert_path = "c.pem"\nserver_key_passphrase = "file-pw"\nclient_certs_path = "d"\n');
    const c = await loadConfig(file, {
      NANO_RPC_SERVER_CERT: cert.replace(/\n/g, '\\n'),
      NANO_RPC_SERVER_KEY: key.replace(/\n/g, '\r\n'),
      NANO_RPC_SERVER_KEY_PASSPHRASE: 'env-pw',
    });
    expect(c.secure.serverCertPem).toBe(`${cert}\n`);
    expect(c.secure.serverKeyPem).toBe(`${key}\n`);
    expect(c.secure.serverKeyPassphrase).toBe('env-pw');
    expect(c.secure.serverCertSource).toBe('env NANO_RPC_SERVER_CERT');
    expect(c.secure.serverKeySource).toBe('env NANO_RPC_SERVER_KEY');
    expect(c.secure.serverKeyPassphraseSource).toBe('env NANO_RPC_SERVER_KEY_PASSPHRASE');
    expect(c.warnings).toEqual([]);
  });

  it('names a malformed PEM variable, and reports it together with file problems', async () => {
    const problems = await problemsOf('port = "x"\n', {
      NANO_RPC_SERVER_CERT: 'not a pem',
      NANO_RPC_SERVER_KEY: cert,
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toBe('config-rpc.toml:1: port must be an integer (got string "x")');
    expect(problems[1]).toMatch(/^env NANO_RPC_SERVER_CERT: not a PEM certificate/);
    expect(problems[2]).toMatch(/^env NANO_RPC_SERVER_KEY: not a PEM key/);
  });

  it('treats an empty variable as unset', async () => {
    const c = await loadConfig(await write(''), { NANO_RPC_SERVER_CERT: '', NANO_RPC_SERVER_KEY_PASSPHRASE: '' });
    expect(c.secure.serverCertPem).toBeUndefined();
    expect(c.secure.serverCertSource).toBe('');
  });
});

describe('configPathFrom', () => {
  it('prefers --config, then NANO_RPC_CONFIG, then ./config-rpc.toml', () => {
    expect(configPathFrom('/a.toml', { NANO_RPC_CONFIG: '/b.toml' })).toBe('/a.toml');
    expect(configPathFrom(undefined, { NANO_RPC_CONFIG: '/b.toml' })).toBe('/b.toml');
    expect(configPathFrom(undefined, {})).toBe('config-rpc.toml');
  });
});

describe('file encodings', () => {
  it('accepts CRLF line endings and a UTF-8 BOM, and still reports lines', async () => {
    expect(await problemsOf('\uFEFFport = 1\r\n[secure]\r\nenabel = true\r\n')).toEqual([
      'config-rpc.toml:3: unknown key "secure.enabel" (did you mean "secure.enable"?)',
    ]);
  });

  it('reports a 64-bit integer beyond the exact range', async () => {
    expect(await problemsOf('max_request_size = 9223372036854775807\n')).toEqual([
      'config-rpc.toml:1: max_request_size must be an integer from 1 to 9007199254740991 (got integer 9223372036854775807)',
    ]);
  });
});
