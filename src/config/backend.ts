import * as path from 'node:path';
import { normaliseAddress } from './address.js';
import { describeValue } from './describe.js';
import type { RawConfig } from './schema.js';
import type { BackendConfig, IpcListenerConfig, UpstreamConfig } from './types.js';

/** `nano_rpc`'s defaults for the live network (nano/lib/rpcconfig.cpp). */
const DEFAULT_IPC_ADDRESS = '::1';
const DEFAULT_IPC_PORT = 7077;
const DEFAULT_IPC_CONNECTIONS = 8;
const DEFAULT_HTTP_CONNECTIONS = 16;

/**
 * Reads `[backend]` and `[ipc_listener]` after the schema passed (or partly passed: `ok` says
 * which keys are sound). Problems are pushed as `file:line: key: what`, like every other.
 */
export function readBackend(
  raw: RawConfig,
  dir: string,
  at: (segments: readonly string[]) => string,
  ok: (key: string) => boolean,
  problems: string[],
): { backend: BackendConfig; ipcListener: IpcListenerConfig } {
  const listener = raw.ipc_listener;
  let ipcListener: IpcListenerConfig = { enable: false, address: '::1', port: 7077 };
  if (typeof listener === 'object' && listener !== null && ok('ipc_listener')) {
    const address = typeof listener.address === 'string' ? normaliseAddress(listener.address) : undefined;
    if (address === undefined && ok('ipc_listener.address')) {
      problems.push(
        `${at(['ipc_listener', 'address'])} ipc_listener.address must be an IP address such as "::1" or "127.0.0.1" (got ${describeValue(listener.address)})`,
      );
    }
    ipcListener = { enable: listener.enable === true, address: address ?? '::1', port: listener.port };
  }

  const b = raw.backend;
  if (typeof b !== 'object' || b === null || !ok('backend') || b.mode !== 'node') return { backend: { mode: 'embedded' }, ipcListener };

  const proc = raw.process ?? {};
  const upstreams: UpstreamConfig[] = [];
  const entries = Array.isArray(b.upstream) ? b.upstream : [];
  if (entries.length === 0) {
    // nano_rpc's own keys: one node over IPC. (nano_rpc overwrote ipc_address with `address`, a bug we don't copy.)
    const host = normaliseAddress(proc.ipc_address ?? DEFAULT_IPC_ADDRESS);
    if (host === undefined) {
      problems.push(`${at(['process', 'ipc_address'])} process.ipc_address must be an IP address such as "::1" (got ${describeValue(proc.ipc_address)})`);
    } else {
      const port = proc.ipc_port ?? DEFAULT_IPC_PORT;
      upstreams.push({ kind: 'ipc', name: ipcName(host, port), host, port, connections: proc.num_ipc_connections ?? DEFAULT_IPC_CONNECTIONS });
    }
  }
  let firstIpc = true;
  entries.forEach((entry, index) => {
    const where = ['backend', 'upstream', String(index)];
    const key = `backend.upstream.${index}`;
    if (!ok(key)) return;
    const hasUrl = typeof entry.url === 'string';
    const hasIpc = typeof entry.ipc === 'string';
    if (hasUrl === hasIpc) {
      problems.push(`${at(where)} ${key} must have exactly one of url = "http://[::1]:7076" or ipc = "tcp://[::1]:7077"`);
      return;
    }
    if (hasIpc) {
      const target = parseIpcTarget(entry.ipc!);
      if (target === undefined) {
        problems.push(
          `${at([...where, 'ipc'])} ${key}.ipc must be tcp://ADDRESS:PORT with an IP address, e.g. "tcp://[::1]:7077" (got ${describeValue(entry.ipc)})`,
        );
        return;
      }
      for (const tlsKey of ['tls_ca_path', 'tls_cert_path', 'tls_key_path'] as const) {
        if (entry[tlsKey] !== undefined)
          problems.push(`${at([...where, tlsKey])} ${key}.${tlsKey} applies to https upstreams only (the node's IPC has no TLS)`);
      }
      // [process] num_ipc_connections is honoured for the first IPC node, as nano_rpc did.
      const connections = entry.connections ?? (firstIpc ? proc.num_ipc_connections : undefined) ?? DEFAULT_IPC_CONNECTIONS;
      firstIpc = false;
      upstreams.push({ kind: 'ipc', name: ipcName(target.host, target.port), host: target.host, port: target.port, connections });
      return;
    }
    let url: URL | undefined;
    try {
      url = new URL(entry.url!);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
      problems.push(
        `${at([...where, 'url'])} ${key}.url must be an http:// or https:// URL without credentials, e.g. "http://[::1]:7076" (got ${describeValue(entry.url)})`,
      );
      return;
    }
    const resolve = (p: string | undefined): string => (p === undefined || p === '' ? '' : path.resolve(dir, p));
    const https = url.protocol === 'https:';
    if (!https && (entry.tls_ca_path ?? entry.tls_cert_path ?? entry.tls_key_path) !== undefined) {
      problems.push(`${at(where)} ${key}: tls_ca_path, tls_cert_path and tls_key_path apply to https:// upstreams only`);
      return;
    }
    if ((entry.tls_cert_path === undefined) !== (entry.tls_key_path === undefined)) {
      problems.push(`${at(where)} ${key}: tls_cert_path and tls_key_path go together (a client certificate and its key)`);
      return;
    }
    upstreams.push({
      kind: 'http',
      name: url.href,
      url: url.href,
      connections: entry.connections ?? DEFAULT_HTTP_CONNECTIONS,
      caPath: resolve(entry.tls_ca_path),
      certPath: resolve(entry.tls_cert_path),
      keyPath: resolve(entry.tls_key_path),
    });
  });

  return {
    backend: { mode: 'node', upstreams, requestTimeoutMs: b.request_timeout_ms, probeIntervalMs: b.probe_interval_ms, maxAnswerSize: b.max_answer_size },
    ipcListener,
  };
}

function ipcName(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function parseIpcTarget(text: string): { host: string; port: number } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'tcp:' || url.pathname !== '' || url.search !== '' || url.username !== '') return undefined;
  const bare = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const host = normaliseAddress(bare);
  if (host === undefined) return undefined;
  const port = url.port === '' ? DEFAULT_IPC_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}
