import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse as parseToml } from '@iarna/toml';
import { isLoopback, normaliseAddress } from './address.js';
import { describeValue, toJsonTree, valueAt } from './describe.js';
import { checkPem, ENV_CERT, ENV_CONFIG, ENV_KEY, ENV_PASSPHRASE, envValue, pemFromEnv } from './env.js';
import { locateKeys } from './locate.js';
import type { KeyLocator } from './locate.js';
import { readBackend } from './backend.js';
import { ConfigError, describeFsError, displayName } from './problems.js';
import { keysAt, validateConfig } from './schema.js';
import type { RawConfig, SchemaError } from './schema.js';
import { suggest } from './suggest.js';
import type { RpcConfig, SecureConfig } from './types.js';

export { configPathFrom } from './config-path.js';
export { ConfigError } from './problems.js';
export type { RpcConfig, SecureConfig } from './types.js';

/** Read, parse, validate and freeze config-rpc.toml; throws ConfigError listing every problem. */
export async function loadConfig(configPath: string, env: NodeJS.ProcessEnv): Promise<RpcConfig> {
  const file = path.resolve(configPath);
  const dir = path.dirname(file);
  const name = displayName(file);

  let source: string;
  try {
    // A BOM (Windows editors) is not valid TOML; drop it rather than report line 1.
    source = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  } catch (err) {
    throw new ConfigError([`${name}: cannot read config file ${file}: ${describeFsError(err)} (use --config PATH or ${ENV_CONFIG})`]);
  }

  let tree: unknown;
  try {
    tree = parseToml(source);
  } catch (err) {
    throw new ConfigError([tomlSyntaxMessage(name, err)]);
  }

  const locator = locateKeys(source);
  const at = (segments: readonly string[]): string => {
    const line = locator.lineOf(segments);
    return line === undefined ? `${name}:` : `${name}:${line}:`;
  };

  const problems: string[] = [];
  const badPaths = new Set<string>();
  const doc = toJsonTree(tree);
  if (!validateConfig(doc)) {
    for (const e of validateConfig.errors ?? []) {
      const p = schemaProblem(e, tree, locator, name);
      if (p === undefined || badPaths.has(p.key)) continue;
      badPaths.add(p.key);
      problems.push(p.message);
    }
  }
  // After a failed validation the document is only partly checked; read fields defensively.
  const raw = doc as RawConfig;
  const ok = (key: string): boolean => !badPaths.has(key);

  let address = raw.address;
  if (ok('address') && typeof raw.address === 'string') {
    const normalised = normaliseAddress(raw.address);
    if (normalised === undefined) {
      problems.push(`${at(['address'])} address must be an IP address such as "::1", "::ffff:127.0.0.1" or "127.0.0.1" (got ${describeValue(raw.address)})`);
      badPaths.add('address');
    } else {
      address = normalised;
    }
  }

  const s = raw.secure;
  const secureOk = typeof s === 'object' && s !== null && ok('secure');
  const resolvePath = (p: unknown): string => (typeof p === 'string' && p !== '' ? path.resolve(dir, p) : '');

  const certEnv = envValue(env, ENV_CERT);
  const keyEnv = envValue(env, ENV_KEY);
  const passEnv = envValue(env, ENV_PASSPHRASE);
  const serverCertPem = certEnv === undefined ? undefined : pemFromEnv(certEnv);
  const serverKeyPem = keyEnv === undefined ? undefined : pemFromEnv(keyEnv);
  if (serverCertPem !== undefined) {
    const p = checkPem(ENV_CERT, serverCertPem, 'certificate');
    if (p !== undefined) problems.push(p);
  }
  if (serverKeyPem !== undefined) {
    const p = checkPem(ENV_KEY, serverKeyPem, 'key');
    if (p !== undefined) problems.push(p);
  }

  const serverCertPath = secureOk ? resolvePath(s.server_cert_path) : '';
  const serverKeyPath = secureOk ? resolvePath(s.server_key_path) : '';
  const filePassphrase = secureOk && typeof s.server_key_passphrase === 'string' ? s.server_key_passphrase : '';
  const secure: SecureConfig = {
    enable: secureOk && s.enable === true,
    verboseLogging: secureOk && s.verbose_logging === true,
    serverCertPath,
    serverKeyPath,
    serverKeyPassphrase: passEnv ?? filePassphrase,
    serverDhPath: secureOk ? resolvePath(s.server_dh_path) : '',
    clientCertsPath: secureOk ? resolvePath(s.client_certs_path) : '',
    ...(serverCertPem === undefined ? {} : { serverCertPem }),
    ...(serverKeyPem === undefined ? {} : { serverKeyPem }),
    serverCertSource: serverCertPem !== undefined ? `env ${ENV_CERT}` : serverCertPath !== '' ? `file ${serverCertPath}` : '',
    serverKeySource: serverKeyPem !== undefined ? `env ${ENV_KEY}` : serverKeyPath !== '' ? `file ${serverKeyPath}` : '',
    serverKeyPassphraseSource: passEnv !== undefined ? `env ${ENV_PASSPHRASE}` : filePassphrase !== '' ? 'config secure.server_key_passphrase' : '',
  };

  if (secure.enable) {
    const missing: [key: string, envName: string, unset: boolean][] = [
      ['server_cert_path', ENV_CERT, secure.serverCertSource === '' && ok('secure.server_cert_path')],
      ['server_key_path', ENV_KEY, secure.serverKeySource === '' && ok('secure.server_key_path')],
    ];
    for (const [key, envName, unset] of missing) {
      if (!unset) continue;
      const where = valueAt(tree, ['secure', key]) !== undefined ? ['secure', key] : ['secure', 'enable'];
      problems.push(`${at(where)} secure.${key} must be set when secure.enable = true (or set ${envName})`);
    }
  }

  let websocketAddress = raw.websocket?.address ?? '::1';
  if (ok('websocket') && typeof websocketAddress === 'string') {
    const normalised = normaliseAddress(websocketAddress);
    if (normalised === undefined)
      problems.push(
        `${at(['websocket', 'address'])} websocket.address must be an IP address such as "::1" or "127.0.0.1" (got ${describeValue(websocketAddress)})`,
      );
    else websocketAddress = normalised;
  }
  const { backend, ipcListener } = readBackend(raw, dir, at, (key) => ![...badPaths].some((bad) => bad === key || bad.startsWith(`${key}.`)), problems);

  const ledgerPath = typeof raw.ledger?.path === 'string' && raw.ledger.path !== '' ? path.resolve(dir, raw.ledger.path) : '';

  const m = raw.metrics;
  let metricsAddress = typeof m?.address === 'string' ? m.address : '::1';
  if (ok('metrics.address') && ok('metrics')) {
    const normalised = normaliseAddress(metricsAddress);
    if (normalised === undefined)
      problems.push(`${at(['metrics', 'address'])} metrics.address must be an IP address such as "::1" or "127.0.0.1" (got ${describeValue(metricsAddress)})`);
    else metricsAddress = normalised;
  }
  if (m?.tls === true && !secure.enable)
    problems.push(`${at(['metrics', 'tls'])} metrics.tls = true needs secure.enable = true (it uses the RPC's certificate and client trust)`);

  if (problems.length > 0) throw new ConfigError(problems);

  const warnings: string[] = [];
  if (ipcListener.enable && !isLoopback(ipcListener.address)) {
    warnings.push(
      `${at(['ipc_listener', 'address'])} ipc_listener.address ${ipcListener.address} is not loopback: the IPC port has no TLS and no client certificates, anyone who reaches it can call the RPC`,
    );
  }
  if (!isLoopback(address) && !secure.enable) {
    warnings.push(`${at(['address'])} address ${address} serves plain HTTP on a non-loopback address; set secure.enable = true or bind to ::1`);
  }
  if (!isLoopback(address) && raw.enable_control) {
    // The node's own startup warning, word for word (nano/rpc/rpc.cpp, V22.1).
    warnings.push(`WARNING: control-level RPCs are enabled on non-local address ${address}, potentially allowing wallet access outside local computer`);
  }
  if (m?.enable === true && m.tls !== true && !isLoopback(metricsAddress)) {
    warnings.push(
      `${at(['metrics', 'address'])} metrics.address ${metricsAddress} serves metrics (client names, certificate fingerprints) without TLS on a non-loopback address; set metrics.tls = true or bind to ::1`,
    );
  }
  if (secure.enable && secure.clientCertsPath === '') {
    warnings.push(
      `${at(valueAt(tree, ['secure', 'client_certs_path']) !== undefined ? ['secure', 'client_certs_path'] : ['secure', 'enable'])} secure.client_certs_path is empty: TLS without client certificates, anyone who can reach the port can call the RPC`,
    );
  }

  return Object.freeze({
    file,
    dir,
    address,
    port: raw.port,
    enableControl: raw.enable_control,
    maxJsonDepth: raw.max_json_depth,
    maxRequestSize: raw.max_request_size,
    logRpc: raw.logging.log_rpc,
    ledgerPath,
    policyFile: typeof raw.policy?.file === 'string' && raw.policy.file !== '' ? path.resolve(dir, raw.policy.file) : '',
    metrics: Object.freeze({ enable: m?.enable === true, address: metricsAddress, port: m?.port ?? 9076, tls: m?.tls === true }),
    secure: Object.freeze(secure),
    connections: Object.freeze({
      handshakeTimeoutMs: raw.connections.handshake_timeout_ms,
      maxConnections: raw.connections.max_connections,
      maxConnectionsPerAddress: raw.connections.max_connections_per_address,
    }),
    websocket: Object.freeze({ enable: raw.websocket.enable, address: websocketAddress, port: raw.websocket.port }),
    node: Object.freeze({ enableSignHash: raw.node.enable_sign_hash, maxWorkGenerateMultiplier: raw.node.max_work_generate_multiplier }),
    backend: Object.freeze(backend),
    ipcListener: Object.freeze(ipcListener),
    workers: raw.workers.count,
    warnings: Object.freeze(warnings),
  });
}

/** iarna reports 0-based row/col and repeats them, with a source excerpt, inside its message. */
export function tomlSyntaxMessage(name: string, err: unknown): string {
  if (typeof err === 'object' && err !== null && 'line' in err && 'col' in err) {
    const e = err as { line: number; col: number; message?: string };
    const text = String(e.message ?? 'syntax error')
      .split('\n')[0]!
      .replace(/ at row \d+, col \d+, pos \d+:$/, '');
    return `${name}:${e.line + 1}:${e.col + 1}: ${text}`;
  }
  return `${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
}

const ARTICLE: Record<string, string> = {
  boolean: 'a boolean',
  integer: 'an integer',
  string: 'a string',
  object: 'a table',
  number: 'a number',
};

const SECRET_KEYS = new Set(['secure.server_key_passphrase']);

function schemaProblem(e: SchemaError, tree: unknown, locator: KeyLocator, name: string): { key: string; message: string } | undefined {
  const segments = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map(unpointer);
  const where = (p: readonly string[]): string => {
    const line = locator.lineOf(p);
    return line === undefined ? `${name}:` : `${name}:${line}:`;
  };

  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty: string }).additionalProperty);
    const full = [...segments, extra];
    const key = full.join('.');
    const hint = didYouMean(segments, extra);
    return { key, message: `${where(full)} unknown key "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` };
  }

  const key = segments.join('.');
  const got = describeValue(valueAt(tree, segments), SECRET_KEYS.has(key));
  const parent = (e.parentSchema ?? {}) as { type?: string; minimum?: number; maximum?: number };
  const kind = ARTICLE[parent.type ?? ''] ?? 'valid';
  let must: string;
  switch (e.keyword) {
    case 'type':
      must = `must be ${kind}`;
      break;
    case 'minimum':
    case 'maximum':
      must =
        parent.maximum !== undefined && parent.minimum !== undefined
          ? `must be ${kind} from ${parent.minimum} to ${parent.maximum}`
          : parent.minimum !== undefined
            ? `must be ${kind} >= ${parent.minimum}`
            : `must be ${kind} <= ${String(parent.maximum)}`;
      break;
    case 'minLength':
      must = 'must not be empty';
      break;
    case 'enum':
      must = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    default:
      must = e.message ?? 'is not valid';
  }
  return { key, message: `${where(segments)} ${key === '' ? 'the file' : key} ${must} (got ${got})` };
}

function unpointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A close name in the same table, else the same name in another table (a key under the wrong header). */
function didYouMean(table: readonly string[], extra: string): string | undefined {
  const prefix = table.length === 0 ? '' : `${table.join('.')}.`;
  const near = suggest(extra, keysAt(table));
  if (near !== undefined) return prefix + near;
  for (const other of keysAt([])) {
    if (keysAt([other]).includes(extra)) return `${other}.${extra}`;
  }
  if (table.length > 0 && keysAt([]).includes(extra)) return extra;
  return undefined;
}
