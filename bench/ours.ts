import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyType } from '../src/pki/keys.js';
import { installTrustedCert } from '../src/tls/trust-dir.js';
import type { Contender } from './contender.js';
import { isListening } from './load-protocol.js';
import type { BenchPki } from './pki.js';
import { nextMessage, spawnNodeEntry, stopChild, type Pin } from './procs.js';

export interface OursOptions {
  /** A fresh folder: config-rpc.toml, certificates, trust dir, ledger. */
  readonly dir: string;
  readonly pki: BenchPki;
  readonly keyType: KeyType;
  /** false: plain HTTP ([secure] enable = false), for running behind nginx. */
  readonly tls: boolean;
  readonly pin: Pin;
  /** Extra top-level keys (e.g. `enable_control = true`) and extra tables, for the wallet suite. */
  readonly topLevel?: string;
  readonly tables?: string;
}

/** Writes `dir`'s config-rpc.toml (and, with TLS, its certificates and trust directory); returns its path. */
export async function writeOursConfig(options: Omit<OursOptions, 'pin'>): Promise<string> {
  await mkdir(options.dir, { recursive: true });
  const secure = ['[secure]', `enable = ${options.tls}`];
  if (options.tls) {
    const server = options.pki.servers[options.keyType];
    await writeFile(join(options.dir, 'server.cert.pem'), server.certPem);
    await writeFile(join(options.dir, 'server.key.pem'), server.keyPem, { mode: 0o600 });
    const clients = join(options.dir, 'clients');
    await mkdir(clients, { recursive: true });
    await installTrustedCert(clients, options.pki.client.certPem);
    secure.push('server_cert_path = "server.cert.pem"', 'server_key_path = "server.key.pem"', 'client_certs_path = "clients"');
  }
  const toml = [
    'address = "127.0.0.1"',
    'port = 0',
    options.topLevel ?? '',
    ...secure,
    '[logging]',
    'log_rpc = false',
    '[ledger]',
    'path = "ledger"',
    options.tables ?? '',
    '',
  ].join('\n');
  const configPath = join(options.dir, 'config-rpc.toml');
  await writeFile(configPath, toml);
  return configPath;
}

/** Our real service (startService) in a child process, as `nano-rpc serve` would run it. */
export async function startOurs(options: OursOptions): Promise<Contender & { readonly pid: number; readonly websocketPort?: number }> {
  const configPath = await writeOursConfig(options);
  const child = spawnNodeEntry('server-ours.js', [configPath], options.pin);
  try {
    const { port, websocketPort } = await nextMessage(child, isListening, 30_000);
    const pid = child.pid!;
    return {
      name: 'ours',
      host: '127.0.0.1',
      port,
      ...(websocketPort !== undefined ? { websocketPort } : {}),
      pid,
      cpuPids: () => [pid],
      stop: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
