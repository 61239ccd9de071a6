import type { Contender } from './contender.js';
import { machineBusyMicros, totalCpuMicros } from './cpu.js';
import { isLoadResult, isMeasuring, type LoadJob, type LoadResult } from './load-protocol.js';
import { nextMessage, spawnNodeEntry, stopChild, type Pin } from './procs.js';

export interface RoundSample {
  readonly contender: string;
  /** Successful operations (requests or connections) per second. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU per successful operation, microseconds. */
  readonly serverCpuMicrosPerOp: number;
  /** Share of one core used by the server side / the load generator over the window, %. */
  readonly serverCorePct: number;
  readonly clientCorePct: number;
  /** Everything else that ran on the machine meanwhile (other processes, the bench's parent, steal), % of one core. */
  readonly backgroundCorePct: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly resumedFraction?: number;
}

/** What one measured window counted: its operations, its length, and the CPU each side used in it. */
export interface WindowCounts {
  readonly ok: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly serverCpuMicros: number;
  /** Absent when no load generator ran (CPU-bound work children). */
  readonly clientCpuMicros?: number;
  readonly machineBusyMicros: number;
  readonly resumed?: number;
}

/** A round's figures from its window's counts: rates, CPU per operation, shares of a core. */
export function sampleOf(contender: string, w: WindowCounts): RoundSample {
  const seconds = w.elapsedMs / 1000;
  const corePct = (micros: number): number => (micros / 1e6 / seconds) * 100;
  return {
    contender,
    perSecond: w.ok / seconds,
    p50Ms: w.p50Ms,
    p99Ms: w.p99Ms,
    serverCpuMicrosPerOp: w.ok > 0 ? w.serverCpuMicros / w.ok : Number.NaN,
    serverCorePct: corePct(w.serverCpuMicros),
    clientCorePct: w.clientCpuMicros === undefined ? Number.NaN : corePct(w.clientCpuMicros),
    backgroundCorePct: Math.max(0, corePct(w.machineBusyMicros - w.serverCpuMicros - (w.clientCpuMicros ?? 0))),
    errors: w.errors,
    ...(w.firstError !== undefined ? { firstError: w.firstError } : {}),
    ...(w.resumed !== undefined && w.ok > 0 ? { resumedFraction: w.resumed / w.ok } : {}),
  };
}

/**
 * One measured round: a fresh load generator child runs `job` against the contender; server CPU
 * is read from /proc at the start and the end of the generator's measured window.
 */
export async function runRound(contender: Contender, job: LoadJob, pin: Pin): Promise<RoundSample> {
  const generator = spawnNodeEntry('load-generator.js', [], pin);
  try {
    const measuring = nextMessage(generator, isMeasuring, job.warmupMs + 15_000);
    const finished = nextMessage(generator, isLoadResult, job.warmupMs + job.durationMs + 30_000);
    finished.catch(() => undefined);
    generator.send(job);
    await measuring;
    const cpuStart = totalCpuMicros(contender.cpuPids());
    const machineStart = machineBusyMicros();
    const result: LoadResult = await finished;
    const serverCpuMicros = totalCpuMicros(contender.cpuPids()) - cpuStart;
    return sampleOf(contender.name, { ...result, serverCpuMicros, machineBusyMicros: machineBusyMicros() - machineStart });
  } finally {
    await stopChild(generator);
  }
}
