import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { RpcConfig } from '../../src/config/types.js';
import { startService, type RunningService } from '../../src/service.js';
import { installTrustedCert } from '../../src/tls/trust-dir.js';
import { LogCapture } from './log-capture.js';
import type { Agent } from 'undici';
import { tlsAgent } from './clients.js';
import { makeCa, makeClient, makeServer, type Identity } from './pki.js';

export interface TestServer {
  readonly service: RunningService;
  readonly config: RpcConfig;
  readonly logs: LogCapture;
  readonly port: number;
  /** https://127.0.0.1:PORT/ (or http:// without TLS) */
  readonly url: string;
  readonly clientsDir: string;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** A fresh folder for this server: config, certificates, ledger. */
  readonly dir: string;
  /** Absent: plain HTTP. */
  readonly server?: Identity;
  /** Written as the server key; defaults to server.keyPem (e.g. an encrypted PEM). */
  readonly serverKeyPem?: string;
  readonly serverCertPem?: string;
  /** Mutual TLS with this folder (created if missing) as client_certs_path; false = TLS only. */
  readonly clientCerts?: boolean;
  /** Extra lines for the top level / [secure] of config-rpc.toml. */
  readonly topLevel?: string;
  readonly secure?: string;
  /** Extra tables appended after [ledger] (e.g. [backend], [ipc_listener]). */
  readonly tables?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly pollMs?: number;
  /** How often open connections are checked for expired certificates (the service default otherwise). */
  readonly expiryCheckMs?: number;
  /** How often repeated refusals are summarised (the service default otherwise). */
  readonly refusalSummaryMs?: number;
  /** Lines of a [connections] table. */
  readonly connections?: string;
}

/** Starts the real service (config file, TLS, LMDB ledger) on 127.0.0.1, port 0, in `dir`. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const clientsDir = join(options.dir, 'clients');
  if (options.clientCerts !== false) await mkdir(clientsDir, { recursive: true });
  const secure: string[] = [];
  if (options.server) {
    await writeFile(join(options.dir, 'server.cert.pem'), options.serverCertPem ?? options.server.certPem);
    await writeFile(join(options.dir, 'server.key.pem'), options.serverKeyPem ?? options.server.keyPem, { mode: 0o600 });
    secure.push('enable = true', 'server_cert_path = "server.cert.pem"', 'server_key_path = "server.key.pem"');
    if (options.clientCerts !== false) secure.push('client_certs_path = "clients"');
  }
  if (options.secure) secure.push(options.secure);
  const toml = [
    'address = "127.0.0.1"',
    'port = 0',
    options.topLevel ?? '',
    ...(options.connections ? ['[connections]', options.connections] : []),
    '[secure]',
    ...secure,
    '[ledger]',
    'path = "ledger"',
    options.tables ?? '',
  ].join('\n');
  const configPath = join(options.dir, 'config-rpc.toml');
  await writeFile(configPath, toml);

  const logs = new LogCapture();
  const config = await loadConfig(configPath, options.env ?? {});
  const service = await startService(config, logs.logger, {
    pollMs: options.pollMs ?? 200,
    ...(options.expiryCheckMs !== undefined ? { expiryCheckMs: options.expiryCheckMs } : {}),
    ...(options.refusalSummaryMs !== undefined ? { refusalSummaryMs: options.refusalSummaryMs } : {}),
  });
  return {
    service,
    config,
    logs,
    port: service.address.port,
    url: service.url,
    clientsDir,
    stop: () => service.stop(),
  };
}

/** Installs a client certificate in the server's trust directory and waits until the server trusts it (≤ 1 s). */
export async function trustClient(server: TestServer, client: Identity): Promise<string> {
  const { file } = await installTrustedCert(server.clientsDir, client.certPem);
  await server.logs.waitFor(
    (line) =>
      line.msg === 'client certificate trusted' && (line.client as { fingerprint256?: string } | undefined)?.fingerprint256 === client.cert.fingerprint256,
    1000,
  );
  return file;
}

export interface ServerWithClient {
  readonly server: TestServer;
  readonly ca: Identity;
  readonly client: Identity;
  /** A keep-alive agent presenting the client certificate and trusting the CA. */
  readonly agent: Agent;
  /** Closes the agent and stops the server (the caller removes `dir`). */
  close(): Promise<void>;
}

/** A mutual-TLS server in `dir` with one trusted client: the set-up most e2e files start from. */
export async function startServerWithClient(dir: string, name: string, options: Omit<TestServerOptions, 'dir' | 'server'> = {}): Promise<ServerWithClient> {
  const ca = await makeCa(`${name} CA`);
  const client = await makeClient(`${name}.client`, ca);
  const server = await startTestServer({ ...options, dir, server: await makeServer(ca) });
  await trustClient(server, client);
  const agent = tlsAgent({ cert: client.certPem, key: client.keyPem, ca: ca.certPem });
  return {
    server,
    ca,
    client,
    agent,
    close: async () => {
      await agent.close();
      await server.stop();
    },
  };
}
