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
