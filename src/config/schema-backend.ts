/**
 * `[backend]` (embedded ledger or node mode with its upstream nodes) and `[ipc_listener]` (the
 * embedded ledger answering on the node's IPC protocol): keys this product adds to
 * config-rpc.toml. Shapes only; what needs cross-checks (url or ipc, addresses) is read in
 * `backend.ts`.
 */
const uint16 = { type: 'integer', minimum: 0, maximum: 65535 } as const;

export const upstreamSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** The node's HTTP RPC, `http://[::1]:7076` or `https://…`. */
    url: { type: 'string', minLength: 1 },
    /** The node's IPC over TCP, `tcp://[::1]:7077` (`[node.ipc.tcp] enable = true` on the node). */
    ipc: { type: 'string', minLength: 1 },
    /** Persistent connections to this node (IPC: one request in flight each). */
    connections: { type: 'integer', minimum: 1, maximum: 1024 },
    /** https upstreams: the CA that signed the node's certificate, and our client certificate. */
    tls_ca_path: { type: 'string' },
    tls_cert_path: { type: 'string' },
    tls_key_path: { type: 'string' },
  },
} as const;

export const backendSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    mode: { type: 'string', enum: ['embedded', 'node'], default: 'embedded' },
    /** Per request, connect included; the client then gets the node's "Connection to node has failed". */
    request_timeout_ms: { type: 'integer', minimum: 1, maximum: 3_600_000, default: 60_000 },
    /** How often each upstream is asked `block_count`; a failed one is re-probed with backoff up to 8×. */
    probe_interval_ms: { type: 'integer', minimum: 50, maximum: 3_600_000, default: 5_000 },
    /** Largest answer passed through; beyond it the client gets "Failed to read payload". */
    max_answer_size: { type: 'integer', minimum: 1024, maximum: 4_294_967_295, default: 268_435_456 },
    upstream: { type: 'array', items: upstreamSchema, default: [] },
  },
} as const;

export const ipcListenerSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    enable: { type: 'boolean', default: false },
    address: { type: 'string', default: '::1' },
    port: { ...uint16, default: 7077 },
  },
} as const;

/** `[workers]`: processes sharing the listening port (node:cluster). */
export const workersSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
  },
} as const;

export interface RawWorkers {
  count: number;
}

export interface RawUpstream {
  url?: string;
  ipc?: string;
  connections?: number;
  tls_ca_path?: string;
  tls_cert_path?: string;
  tls_key_path?: string;
}

export interface RawBackend {
  mode: 'embedded' | 'node';
  request_timeout_ms: number;
  probe_interval_ms: number;
  max_answer_size: number;
  upstream: RawUpstream[];
}

export interface RawIpcListener {
  enable: boolean;
  address: string;
  port: number;
}
