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
    const serverCpu = totalCpuMicros(contender.cpuPids()) - cpuStart;
    const machineCpu = machineBusyMicros() - machineStart;
    const seconds = result.elapsedMs / 1000;
    return {
      contender: contender.name,
      perSecond: result.ok / seconds,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      serverCpuMicrosPerOp: result.ok > 0 ? serverCpu / result.ok : Number.NaN,
      serverCorePct: (serverCpu / 1e6 / seconds) * 100,
      clientCorePct: (result.clientCpuMicros / 1e6 / seconds) * 100,
      backgroundCorePct: Math.max(0, ((machineCpu - serverCpu - result.clientCpuMicros) / 1e6 / seconds) * 100),
      errors: result.errors,
      ...(result.firstError !== undefined ? { firstError: result.firstError } : {}),
      ...(result.resumed !== undefined && result.ok > 0 ? { resumedFraction: result.resumed / result.ok } : {}),
    };
  } finally {
    await stopChild(generator);
  }
}
