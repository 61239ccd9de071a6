import type { Dispatcher } from 'undici';
import { machineBusyMicros, processCpuMicros } from './cpu.js';
import { post } from './ledger-load-bodies.js';
import type { InterleavedLoadJob, InterleavedResult, KindResult } from './ledger-protocol.js';
import { percentileSorted } from './stats.js';

interface Tally {
  ok: number;
  errors: number;
  firstError: string | undefined;
  elapsedMs: number;
  clientCpuMicros: number;
  serverCpuMicros: number;
  machineBusyMicros: number;
  readonly latencies: number[];
}

interface Mark {
  readonly at: number;
  readonly client: NodeJS.CpuUsage;
  readonly server: number;
  readonly machine: number;
}

function mark(serverPid: number): Mark {
  return { at: performance.now(), client: process.cpuUsage(), server: processCpuMicros(serverPid), machine: machineBusyMicros() };
}

/**
 * Runs the kinds in turn, `slotMs` each, on `connections` workers sharing `pool` (one request in
 * flight each). A request belongs to the kind of the slot it started in; time and CPU belong to
 * the slot they were spent in. Warm-up picks a random kind per request and is not measured.
 */
export async function runInterleaved(pool: Dispatcher, job: InterleavedLoadJob): Promise<InterleavedResult> {
  const tallies: Tally[] = job.kinds.map(() => ({
    ok: 0,
    errors: 0,
    firstError: undefined,
    elapsedMs: 0,
    clientCpuMicros: 0,
    serverCpuMicros: 0,
    machineBusyMicros: 0,
    latencies: [],
  }));
  const slots = Math.ceil(job.durationMs / job.slotMs) * job.kinds.length;
  let slot = -1; // -1: warm-up
  let done = false;

  const worker = async (): Promise<void> => {
    while (!done) {
      const measured = slot >= 0;
      const index = measured ? slot % job.kinds.length : Math.floor(Math.random() * job.kinds.length);
      const kind = job.kinds[index]!;
      const startedAt = performance.now();
      const answer = await post(pool, kind.bodies[Math.floor(Math.random() * kind.bodies.length)]!, kind.expect);
      if (measured) {
        const tally = tallies[index]!;
        if (answer.ok) {
          tally.ok++;
          tally.latencies.push(performance.now() - startedAt);
        } else {
          tally.errors++;
          tally.firstError ??= answer.error;
        }
      }
      if (!answer.ok) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const clock = new Promise<void>((resolve) => {
    let previous: Mark | undefined;
    const tick = (): void => {
      const now = mark(job.serverPid);
      if (previous !== undefined) {
        const tally = tallies[slot % job.kinds.length]!;
        const client = process.cpuUsage(previous.client);
        tally.elapsedMs += now.at - previous.at;
        tally.clientCpuMicros += client.user + client.system;
        tally.serverCpuMicros += now.server - previous.server;
        tally.machineBusyMicros += now.machine - previous.machine;
      }
      previous = now;
      slot++;
      if (slot >= slots) {
        done = true;
        resolve();
      } else setTimeout(tick, job.slotMs);
    };
    setTimeout(tick, job.warmupMs);
  });

  await Promise.all([clock, ...Array.from({ length: job.connections }, worker)]);
  const kinds: KindResult[] = tallies.map((tally, index) => {
    const sorted = Float64Array.from(tally.latencies).sort();
    return {
      label: job.kinds[index]!.label,
      ok: tally.ok,
      errors: tally.errors,
      ...(tally.firstError !== undefined ? { firstError: tally.firstError } : {}),
      elapsedMs: tally.elapsedMs,
      p50Ms: percentileSorted(sorted, 50),
      p99Ms: percentileSorted(sorted, 99),
      clientCpuMicros: tally.clientCpuMicros,
      serverCpuMicros: tally.serverCpuMicros,
      machineBusyMicros: tally.machineBusyMicros,
    };
  });
  return { type: 'interleaved-result', kinds };
}
