import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/problems.js';
import { loadConfig } from '../../src/config/load.js';

let dir: string;
let prevCwd: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'nano-rpc-backend-'));
  prevCwd = process.cwd();
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(prevCwd);
  await rm(dir, { recursive: true, force: true });
});

async function load(text: string): ReturnType<typeof loadConfig> {
  const file = path.join(dir, 'config-rpc.toml');
  await writeFile(file, text);
  return loadConfig(file, {});
}

async function problemsOf(text: string): Promise<string[]> {
  try {
    await load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('[backend]', () => {
  it('is the embedded ledger by default, with no IPC listener', async () => {
    const c = await load('');
    expect(c.backend).toEqual({ mode: 'embedded' });
    expect(c.ipcListener).toEqual({ enable: false, address: '::1', port: 7077 });
  });

  it("node mode without upstreams uses nano_rpc's [process] keys for one IPC node", async () => {
    const c = await load('[process]\nipc_address = "::ffff:127.0.0.1"\nipc_port = 46000\nnum_ipc_connections = 3\n[backend]\nmode = "node"\n');
    expect(c.backend).toEqual({
      mode: 'node',
      upstreams: [{ kind: 'ipc', name: 'tcp://127.0.0.1:46000', host: '127.0.0.1', port: 46000, connections: 3 }],
      requestTimeoutMs: 60000,
      probeIntervalMs: 5000,
      maxAnswerSize: 268435456,
    });
    const defaults = await load('[backend]\nmode = "node"\n');
    expect(defaults.backend).toMatchObject({ upstreams: [{ kind: 'ipc', host: '::1', port: 7077, connections: 8 }] });
  });

  it('takes IPC and HTTP(S) upstreams in order; num_ipc_connections applies to the first IPC one', async () => {
    const c = await load(
      [
        '[process]',
        'num_ipc_connections = 2',
        '[backend]',
        'mode = "node"',
        'request_timeout_ms = 1500',
        '[[backend.upstream]]',
        'url = "http://[::1]:7076"',
        '[[backend.upstream]]',
        'ipc = "tcp://[::1]:7077"',
        '[[backend.upstream]]',
        'ipc = "tcp://10.0.0.2"',
        '[[backend.upstream]]',
        'url = "https://node.example:7076/rpc"',
        'tls_ca_path = "ca.pem"',
        'tls_cert_path = "me.pem"',
        'tls_key_path = "me.key"',
      ].join('\n'),
    );
    expect(c.backend).toMatchObject({
      mode: 'node',
      requestTimeoutMs: 1500,
      upstreams: [
        { kind: 'http', url: 'http://[::1]:7076/', connections: 16, caPath: '' },
        { kind: 'ipc', host: '::1', port: 7077, connections: 2, name: 'tcp://[::1]:7077' },
        { kind: 'ipc', host: '10.0.0.2', port: 7077, connections: 8 },
        {
          kind: 'http',
          url: 'https://node.example:7076/rpc',
          caPath: path.join(dir, 'ca.pem'),
          certPath: path.join(dir, 'me.pem'),
          keyPath: path.join(dir, 'me.key'),
        },
      ],
    });
  });

  it('reports bad upstreams with file, line and key before anything starts', async () => {
    const problems = await problemsOf(
      [
        '[backend]', // 1
        'mode = "nodes"', // 2
        '[[backend.upstream]]', // 3
        'url = "http://[::1]:7076"', // 4
        '[[backend.upstream]]', // 5
        'ipc = "tcp://localhost:7077"', // 6
        '[[backend.upstream]]', // 7
        'url = "ftp://x"', // 8
        '[[backend.upstream]]', // 9
        'ipc = "tcp://[::1]:7077"', // 10
        'url = "http://[::1]:7076"', // 11
        '[[backend.upstream]]', // 12
        'ipcc = "tcp://[::1]:7077"', // 13
      ].join('\n'),
    );
    expect(problems.sort()).toEqual(
      [
        'config-rpc.toml:13: unknown key "backend.upstream.4.ipcc" (did you mean "backend.upstream.4.ipc"?)',
        'config-rpc.toml:2: backend.mode must be one of "embedded", "node" (got string "nodes")',
      ].sort(),
    );
    const modeOk = await problemsOf(
      [
        '[backend]',
        'mode = "node"',
        '[[backend.upstream]]',
        'url = "http://[::1]:7076"',
        '[[backend.upstream]]',
        'ipc = "tcp://localhost:7077"',
        '[[backend.upstream]]',
        'url = "ftp://x"',
        '[[backend.upstream]]',
        'ipc = "tcp://[::1]:7077"',
        'url = "http://[::1]:7076"',
        '[[backend.upstream]]',
        'url = "http://[::1]:7076"',
        'tls_ca_path = "ca.pem"',
      ].join('\n'),
    );
    expect(modeOk).toEqual([
      'config-rpc.toml:6: backend.upstream.1.ipc must be tcp://ADDRESS:PORT with an IP address, e.g. "tcp://[::1]:7077" (got string "tcp://localhost:7077")',
      'config-rpc.toml:8: backend.upstream.2.url must be an http:// or https:// URL without credentials, e.g. "http://[::1]:7076" (got string "ftp://x")',
      'config-rpc.toml:9: backend.upstream.3 must have exactly one of url = "http://[::1]:7076" or ipc = "tcp://[::1]:7077"',
      'config-rpc.toml:12: backend.upstream.4: tls_ca_path, tls_cert_path and tls_key_path apply to https:// upstreams only',
    ]);
  });

  it('reads [ipc_listener]', async () => {
    const c = await load('[ipc_listener]\nenable = true\naddress = "::ffff:127.0.0.1"\nport = 46000\n');
    expect(c.ipcListener).toEqual({ enable: true, address: '127.0.0.1', port: 46000 });
    expect(c.warnings).toEqual([]);
    const open = await load('[ipc_listener]\nenable = true\naddress = "::"\n');
    expect(open.warnings).toEqual([
      'config-rpc.toml:3: ipc_listener.address :: is not loopback: the IPC port has no TLS and no client certificates, anyone who reaches it can call the RPC',
    ]);
    expect(await problemsOf('[ipc_listener]\naddress = "localhost"\n')).toEqual([
      'config-rpc.toml:2: ipc_listener.address must be an IP address such as "::1" or "127.0.0.1" (got string "localhost")',
    ]);
  });
});
