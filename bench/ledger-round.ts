import type { ChildProcess } from 'node:child_process';
import { machineBusyMicros, totalCpuMicros } from './cpu.js';
import {
  isInterleavedResult,
  isWorkResult,
  type IngestJob,
  type InterleavedLoadJob,
  type InterleavedResult,
  type LedgerLoadJob,
  type VerifyJob,
  type WorkResult,
} from './ledger-protocol.js';
import { isLoadResult, isMeasuring, type LoadResult } from './load-protocol.js';
import { spawnNodeEntry, stopChild, type Pin } from './procs.js';
import { sampleOf, type RoundSample } from './round.js';

/** Every IPC message of a child from its start, so none is lost between two awaits. */
class Inbox {
  private readonly queue: unknown[] = [];
  private wake: (() => void) | undefined;
  private exited: string | undefined;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (message: unknown) => {
      this.queue.push(message);
      this.wake?.();
    });
    child.once('exit', (code, signal) => {
      // Messages still in the pipe may arrive just after 'exit': give them a moment.
      setTimeout(() => {
        this.exited = `child ${child.pid} exited (code ${code}, signal ${signal}) before answering`;
        this.wake?.();
      }, 200).unref();
    });
  }

  /** The next message, which must satisfy one of `accept`; rejects on exit or after `timeoutMs`. */
  async next(what: string, accept: (m: unknown) => boolean, timeoutMs: number): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) {
        if (accept(message)) return message;
        throw new Error(`child ${this.child.pid}: expected ${what}, got ${JSON.stringify(message).slice(0, 120)}`);
      }
      if (this.exited !== undefined) throw new Error(this.exited);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`child ${this.child.pid} sent no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/**
 * One round of a CPU-bound child (ledger-verify.js / ledger-ingest.js) pinned to the server CPU: its own
 * CPU (all threads) per operation; "other" = the rest of the machine over the same window.
 */
export async function runWorkRound(
  entry: 'ledger-verify.js' | 'ledger-ingest.js',
  job: VerifyJob | IngestJob,
  pin: Pin,
  timeoutMs: number,
): Promise<RoundSample> {
  const child = spawnNodeEntry(entry, [], pin);
  const inbox = new Inbox(child);
  try {
    child.send(job);
    const first = await inbox.next('measuring', (m) => isMeasuring(m) || isWorkResult(m), timeoutMs);
    const machineStart = machineBusyMicros();
    const result = (isWorkResult(first) ? first : await inbox.next('result', isWorkResult, timeoutMs)) as WorkResult;
    const machine = machineBusyMicros() - machineStart;
    return sampleOf(job.variant, { ...result, p50Ms: Number.NaN, p99Ms: Number.NaN, serverCpuMicros: result.cpuMicros, machineBusyMicros: machine });
  } finally {
    await stopChild(child);
  }
}

/** A ledger-populate job: no timing, just the outcome. */
export async function runPopulate(job: IngestJob, timeoutMs: number): Promise<WorkResult> {
  const child = spawnNodeEntry('ledger-ingest.js', [], undefined);
  const inbox = new Inbox(child);
  try {
    child.send(job);
    return (await inbox.next('result', isWorkResult, timeoutMs)) as WorkResult;
  } finally {
    await stopChild(child);
  }
}

/**
 * A ledger-load.js child runs `job` against the server `serverPid`; for each of its `phases` measured
 * phases, server CPU and machine CPU are read from /proc when it starts and ends.
 */
export async function runLoadPhases(label: readonly string[], serverPid: number, job: LedgerLoadJob, pin: Pin, timeoutMs: number): Promise<RoundSample[]> {
  const child = spawnNodeEntry('ledger-load.js', [], pin);
  const inbox = new Inbox(child);
  const samples: RoundSample[] = [];
  try {
    child.send(job);
    for (const contender of label) {
      await inbox.next('measuring', isMeasuring, timeoutMs);
      const cpuStart = totalCpuMicros([serverPid]);
      const machineStart = machineBusyMicros();
      const result = (await inbox.next('result', isLoadResult, timeoutMs)) as LoadResult;
      const serverCpuMicros = totalCpuMicros([serverPid]) - cpuStart;
      samples.push(sampleOf(contender, { ...result, serverCpuMicros, machineBusyMicros: machineBusyMicros() - machineStart }));
    }
    return samples;
  } finally {
    await stopChild(child);
  }
}

/**
 * A ledger-load.js child interleaves the job's request kinds in short slots and reads the server's
 * CPU itself at every slot boundary: one sample per kind, from the same stretch of time.
 */
export async function runInterleavedRound(job: InterleavedLoadJob, pin: Pin, timeoutMs: number): Promise<RoundSample[]> {
  const child = spawnNodeEntry('ledger-load.js', [], pin);
  const inbox = new Inbox(child);
  try {
    child.send(job);
    const result = (await inbox.next('interleaved result', isInterleavedResult, timeoutMs)) as InterleavedResult;
    return result.kinds.map((kind) => sampleOf(kind.label, kind));
  } finally {
    await stopChild(child);
  }
}
