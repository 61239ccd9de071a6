import type { TlsClientMaterial } from './load-protocol.js';

/** One server the interleaved load takes turns on. */
export interface FrontTarget {
  readonly label: string;
  readonly origin: string;
  /** false: plain HTTP (the upstream called directly). */
  readonly tls: boolean;
  /** The processes whose CPU is this target's own cost (the front). */
  readonly pids: readonly number[];
  /** Processes behind it (the upstream), reported apart. */
  readonly behindPids: readonly number[];
  readonly body: string;
  /** The answer must contain this text. */
  readonly expect: string;
}

export interface FrontJob extends TlsClientMaterial {
  readonly type: 'front';
  readonly targets: readonly FrontTarget[];
  readonly connections: number;
  readonly slotMs: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface FrontTargetResult {
  readonly label: string;
  readonly ok: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMicros: number;
  readonly behindCpuMicros: number;
  readonly machineBusyMicros: number;
}

export interface FrontResult {
  readonly type: 'front-result';
  readonly targets: readonly FrontTargetResult[];
}

export const isFrontResult = (m: unknown): m is FrontResult => (m as { type?: unknown } | null)?.type === 'front-result';
