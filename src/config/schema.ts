import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { backendSchema, ipcListenerSchema, workersSchema, type RawBackend, type RawIpcListener, type RawWorkers } from './schema-backend.js';

/**
 * Shape of config-rpc.toml. Keys and defaults are the Nano node's (nano/lib/rpcconfig.hpp,
 * `[secure]` as of V22.1) plus `[ledger]`, which this product needs. Every table has
 * `additionalProperties: false` so a typo is reported instead of silently ignored.
 */
const uint16 = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const uint32 = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    address: { type: 'string', default: '::1' },
    port: { ...uint16, default: 7076 },
    enable_control: { type: 'boolean', default: false },
    max_json_depth: { type: 'integer', minimum: 1, maximum: 255, default: 20 },
    // The node allows uint64; beyond 2^53 a JS number is no longer exact.
    max_request_size: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 1048576 },
    secure: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enable: { type: 'boolean', default: false },
        verbose_logging: { type: 'boolean', default: false },
        server_cert_path: { type: 'string', default: '' },
        server_key_path: { type: 'string', default: '' },
        server_key_passphrase: { type: 'string', default: '' },
        server_dh_path: { type: 'string', default: '' },
        client_certs_path: { type: 'string', default: '' },
      },
    },
    // Accepted so a node's config-rpc.toml loads unchanged; this server has no IPC to a node.
    process: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        io_threads: { ...uint32, minimum: 1 },
        ipc_address: { type: 'string' },
        ipc_port: uint16,
        num_ipc_connections: { ...uint32, minimum: 1 },
      },
    },
    logging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        log_rpc: { type: 'boolean', default: true },
      },
    },
    ledger: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        path: { type: 'string', minLength: 1, default: 'data' },
      },
    },
    // Not in the node's file: limits of the TLS port (see src/tls/connection-gate.ts).
    connections: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        handshake_timeout_ms: { type: 'integer', minimum: 100, maximum: 120000, default: 5000 },
        max_connections: { type: 'integer', minimum: 1, maximum: 1000000, default: 2048 },
        max_connections_per_address: { type: 'integer', minimum: 1, maximum: 1000000, default: 128 },
      },
    },
    // Per-client policy (src/policy/): empty = every trusted client may call every action.
    policy: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        file: { type: 'string', default: '' },
      },
    },
    // Prometheus metrics, /health and /ready on their own listener (src/metrics/).
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enable: { type: 'boolean', default: false },
        address: { type: 'string', default: '::1' },
        port: { ...uint16, default: 9076 },
        tls: { type: 'boolean', default: false },
      },
    },
    // The node's [node.websocket] (config-node.toml), served here over the RPC's TLS/mutual TLS.
    websocket: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enable: { type: 'boolean', default: false },
        address: { type: 'string', default: '::1' },
        port: { ...uint16, default: 7078 },
      },
    },
    // Node options (config-node.toml [rpc] enable_sign_hash, [node] max_work_generate_multiplier).
    node: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enable_sign_hash: { type: 'boolean', default: false },
        max_work_generate_multiplier: { type: 'number', minimum: 1, default: 64 },
      },
    },
    backend: backendSchema,
    ipc_listener: ipcListenerSchema,
    workers: workersSchema,
  },
} as const;

/** The document after defaults were applied and validation passed. */
export interface RawConfig {
  address: string;
  port: number;
  enable_control: boolean;
  max_json_depth: number;
  max_request_size: number;
  secure: {
    enable: boolean;
    verbose_logging: boolean;
    server_cert_path: string;
    server_key_path: string;
    server_key_passphrase: string;
    server_dh_path: string;
    client_certs_path: string;
  };
  process: { io_threads?: number; ipc_address?: string; ipc_port?: number; num_ipc_connections?: number };
  logging: { log_rpc: boolean };
  ledger: { path: string };
  connections: { handshake_timeout_ms: number; max_connections: number; max_connections_per_address: number };
  policy: { file: string };
  metrics: { enable: boolean; address: string; port: number; tls: boolean };
  websocket: { enable: boolean; address: string; port: number };
  node: { enable_sign_hash: boolean; max_work_generate_multiplier: number };
  backend: RawBackend;
  ipc_listener: RawIpcListener;
  workers: RawWorkers;
}

// allErrors is safe here (the input is the operator's own file, not a request body) and lets
// one run report every problem. verbose gives parentSchema, used to word range messages.
const ajv = new Ajv({ useDefaults: true, allErrors: true, verbose: true, strict: true });

export const validateConfig: ValidateFunction<RawConfig> = ajv.compile<RawConfig>(configSchema);

export type SchemaError = ErrorObject;

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** Valid key names at a table path, for "did you mean" suggestions. */
export function keysAt(path: readonly string[]): string[] {
  let node: SchemaNode | undefined = configSchema;
  // An array of tables (`[[backend.upstream]]`) is stepped through by its index.
  for (const segment of path) node = node?.type === 'array' && /^\d+$/.test(segment) ? node.items : node?.properties?.[segment];
  return Object.keys(node?.properties ?? {});
}
