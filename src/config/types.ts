/** The validated, frozen configuration. Paths are absolute (or '' when unset). */
export interface RpcConfig {
  /** Absolute path of the config file that was read. */
  readonly file: string;
  /** Its folder; relative paths in the file resolve against it. */
  readonly dir: string;
  /** Normalised for `listen()`: '::1', '127.0.0.1', '0.0.0.0', '::', ... (v4-mapped becomes IPv4). */
  readonly address: string;
  readonly port: number;
  readonly enableControl: boolean;
  readonly maxJsonDepth: number;
  readonly maxRequestSize: number;
  readonly logRpc: boolean;
  /** Absolute folder of the LMDB ledger. */
  readonly ledgerPath: string;
  readonly secure: SecureConfig;
  /** [connections]: limits of the TLS port. */
  readonly connections: ConnectionsConfig;
  /** Absolute path of the per-client policy file, or '' for none (everything allowed). */
  readonly policyFile: string;
  readonly metrics: MetricsConfig;
  /** `[websocket]`: the confirmation websocket, over the same TLS and trust directory as the RPC. */
  readonly websocket: { readonly enable: boolean; readonly address: string; readonly port: number };
  /** `[node]`: `enable_sign_hash`, `max_work_generate_multiplier`. */
  readonly node: { readonly enableSignHash: boolean; readonly maxWorkGenerateMultiplier: number };
  readonly backend: BackendConfig;
  readonly ipcListener: IpcListenerConfig;
  /** Processes sharing the listening port (`[workers] count`, node:cluster); 1 = this process only. */
  readonly workers: number;
  /** Loosened-security notices, one line each, for the caller to log at startup. */
  readonly warnings: readonly string[];
}

export interface ConnectionsConfig {
  readonly handshakeTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
}

export interface MetricsConfig {
  readonly enable: boolean;
  /** Normalised like `address`. */
  readonly address: string;
  readonly port: number;
  /** Serve metrics with the RPC's certificate and client trust (mutual TLS). */
  readonly tls: boolean;
}

export interface SecureConfig {
  readonly enable: boolean;
  readonly verboseLogging: boolean;
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
  /** From NANO_RPC_SERVER_KEY_PASSPHRASE if set, else the file. Never log it. */
  readonly serverKeyPassphrase: string;
  readonly serverDhPath: string;
  readonly clientCertsPath: string;
  /** PEM contents from NANO_RPC_SERVER_CERT; when present it wins over serverCertPath. */
  readonly serverCertPem?: string;
  /** PEM contents from NANO_RPC_SERVER_KEY; when present it wins over serverKeyPath. */
  readonly serverKeyPem?: string;
  /** Where each item came from, for messages: 'file /abs/path', 'env NANO_RPC_SERVER_CERT', or '' when unset. */
  readonly serverCertSource: string;
  readonly serverKeySource: string;
  /** 'config secure.server_key_passphrase', 'env NANO_RPC_SERVER_KEY_PASSPHRASE', or '' when empty. */
  readonly serverKeyPassphraseSource: string;
}

/** Where answers come from: the embedded ledger (default) or one or more real nodes. */
export type BackendConfig =
  | { readonly mode: 'embedded' }
  | {
      readonly mode: 'node';
      readonly upstreams: readonly UpstreamConfig[];
      readonly requestTimeoutMs: number;
      readonly probeIntervalMs: number;
      readonly maxAnswerSize: number;
    };

export type UpstreamConfig =
  | {
      readonly kind: 'ipc';
      /** For logs: tcp://[::1]:7077 */
      readonly name: string;
      readonly host: string;
      readonly port: number;
      readonly connections: number;
    }
  | {
      readonly kind: 'http';
      /** The URL as configured (origin and path), for logs. */
      readonly name: string;
      readonly url: string;
      readonly connections: number;
      /** https only: PEM contents read at start (absolute paths), '' when unset. */
      readonly caPath: string;
      readonly certPath: string;
      readonly keyPath: string;
    };

/** The embedded ledger answering the node's IPC protocol, so other fronts can use it as a node. */
export interface IpcListenerConfig {
  readonly enable: boolean;
  /** Normalised for listen(). */
  readonly address: string;
  readonly port: number;
}
