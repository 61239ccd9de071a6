/** What the parent and a load generator child say to each other over IPC. */

export interface TlsClientMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  /** The local CA, to verify the server certificate. */
  readonly caPem: string;
}

export interface KeepAliveJob extends TlsClientMaterial {
  readonly type: 'keepalive';
  readonly origin: string;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface ConnectJob extends TlsClientMaterial {
  readonly type: 'connect';
  readonly host: string;
  readonly port: number;
  readonly concurrency: number;
  /** Offer the previous connection's session (ticket) on each new connection. */
  readonly resume: boolean;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export type LoadJob = KeepAliveJob | ConnectJob;

/** Sent when warm-up ends and the measured window starts: the parent samples server CPU now. */
export interface MeasuringMessage {
  readonly type: 'measuring';
}

export interface LoadResult {
  readonly type: 'result';
  /** Successful requests (or connections) started in the measured window. */
  readonly ok: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Load generator's own CPU over the window, microseconds. */
  readonly clientCpuMicros: number;
  /** Connect jobs only: connections whose TLS session was resumed. */
  readonly resumed?: number;
}

export const isMeasuring = (m: unknown): m is MeasuringMessage => (m as { type?: unknown } | null)?.type === 'measuring';
export const isLoadResult = (m: unknown): m is LoadResult => (m as { type?: unknown } | null)?.type === 'result';
export const isListening = (m: unknown): m is { type: 'listening'; port: number; websocketPort?: number } =>
  (m as { type?: unknown } | null)?.type === 'listening';

export const BLOCK_COUNT_BODY = '{"action":"block_count"}';
