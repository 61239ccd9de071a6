/** Jobs and answers of the ledger suites' children (ledger-verify, ledger-ingest, ledger-load). */
import type { LoadResult, TlsClientMaterial } from './load-protocol.js';

export type VerifyVariant = 'ours' | 'libsodium';
export type IngestVariant = 'processBatch' | 'processAsync' | 'lmdb';

/** Single-thread signature checks over pre-made triples, warm-up then a measured window. */
export interface VerifyJob {
  readonly type: 'verify';
  readonly variant: VerifyVariant;
  readonly blocksFile: string;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/**
 * Applies every block of the ingest set to a fresh ledger (or writes as many same-sized raw LMDB
 * records) under `dir`, once untimed into a scratch store to warm up, then timed into a new one.
 * `populate`: no timing, the ledger at `dir` is kept (for the account-read suite's server).
 */
export interface IngestJob {
  readonly type: 'ingest';
  readonly variant: IngestVariant | 'populate';
  readonly blocksFile: string;
  readonly dir: string;
  readonly batchSize: number;
  readonly inFlight: number;
}

/** CPU-bound children's answer: the child's own CPU (all threads) over the measured part. */
export interface WorkResult {
  readonly type: 'work-result';
  readonly ok: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
  readonly cpuMicros: number;
}

/**
 * Load for the `process` suite, over `chains` undici Clients (one connection each): the set's setup
 * blocks on the first, then each chain on its own connection, one request in flight, so each chain
 * stays in order. The first `warmupPerChain` blocks of each chain are not measured. Then, over the
 * same connections, block_count for warmupMs + durationMs. Two measured phases.
 */
export interface ProcessLoadJob extends TlsClientMaterial {
  readonly type: 'process';
  readonly origin: string;
  readonly blocksFile: string;
  readonly warmupPerChain: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** One kind of request in an interleaved job: random bodies of it; an answer counts when it contains `expect`. */
export interface RequestKind {
  readonly label: string;
  readonly bodies: readonly string[];
  readonly expect: string;
}

/**
 * Keep-alive load that takes turns between request kinds in short slots (A, B, C, A, B, ...) on the
 * same connections, so a machine that slows down for a few seconds slows every kind alike. The
 * generator reads the server's CPU (/proc/<serverPid>) at every slot boundary itself.
 */
export interface InterleavedLoadJob extends TlsClientMaterial {
  readonly type: 'interleaved';
  readonly origin: string;
  readonly kinds: readonly RequestKind[];
  readonly serverPid: number;
  readonly connections: number;
  readonly slotMs: number;
  readonly warmupMs: number;
  /** Measured time per kind. */
  readonly durationMs: number;
}

/** One kind's share of an interleaved job: its slots' time, its requests, and the CPU spent in its slots. */
export interface KindResult extends Omit<LoadResult, 'type' | 'resumed'> {
  readonly label: string;
  readonly serverCpuMicros: number;
  readonly machineBusyMicros: number;
}

export interface InterleavedResult {
  readonly type: 'interleaved-result';
  readonly kinds: readonly KindResult[];
}

export type LedgerLoadJob = ProcessLoadJob | InterleavedLoadJob;

export const isInterleavedResult = (m: unknown): m is InterleavedResult => (m as { type?: unknown } | null)?.type === 'interleaved-result';
export const isWorkResult = (m: unknown): m is WorkResult => (m as { type?: unknown } | null)?.type === 'work-result';
