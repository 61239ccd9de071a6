/**
 * Child entry: servers take turns in short slots (`slotMs`) on their own keep-alive pools, the
 * same `connections` workers moving from one to the next; each server's CPU is read from /proc
 * at every slot boundary, so a few noisy seconds on a shared VM hit every server alike.
 */
import { Pool } from 'undici';
import { exitWithParent, fail, sendAndFlush } from './child-ipc.js';
import { machineBusyMicros, totalCpuMicros } from './cpu.js';
import { post } from './ledger-load-bodies.js';
import type { FrontJob, FrontResult, FrontTargetResult } from './front-protocol.js';
import { percentileSorted } from './stats.js';

exitWithParent(() => undefined, 10 * 60_000);

interface Tally {
  ok: number;
  errors: number;
  firstError: string | undefined;
  elapsedMs: number;
  cpuMicros: number;
  behindCpuMicros: number;
  machineBusyMicros: number;
  readonly latencies: number[];
}

async function run(job: FrontJob): Promise<FrontResult> {
  const pools = job.targets.map(
    (target) =>
      new Pool(target.origin, {
        connections: job.connections,
        pipelining: 1,
        ...(target.tls ? { connect: { cert: job.certPem, key: job.keyPem, ca: job.caPem, servername: 'localhost', rejectUnauthorized: true } } : {}),
      }),
  );
  const tallies: Tally[] = job.targets.map(() => ({
    ok: 0,
    errors: 0,
    firstError: undefined,
    elapsedMs: 0,
    cpuMicros: 0,
    behindCpuMicros: 0,
    machineBusyMicros: 0,
    latencies: [],
  }));
  const slots = Math.ceil(job.durationMs / job.slotMs) * job.targets.length;
  let slot = -1;
  let done = false;

  const worker = async (): Promise<void> => {
    while (!done) {
      const measured = slot >= 0;
      const index = measured ? slot % job.targets.length : Math.floor(Math.random() * job.targets.length);
      const target = job.targets[index]!;
      const started = performance.now();
      const answer = await post(pools[index]!, target.body, target.expect);
      // A request belongs to the slot it started in, and only counts if that slot is still on.
      if (measured && !done) {
        const tally = tallies[index]!;
        if (answer.ok) {
          tally.ok++;
          tally.latencies.push(performance.now() - started);
        } else {
          tally.errors++;
          tally.firstError ??= answer.error;
        }
      }
      if (!answer.ok) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  const read = (): { at: number; cpu: number[]; behind: number[]; machine: number } => ({
    at: performance.now(),
    cpu: job.targets.map((t) => totalCpuMicros(t.pids)),
    behind: job.targets.map((t) => totalCpuMicros(t.behindPids)),
    machine: machineBusyMicros(),
  });
  const clock = new Promise<void>((resolve) => {
    let previous: ReturnType<typeof read> | undefined;
    const tick = (): void => {
      const now = read();
      if (previous !== undefined) {
        const index = slot % job.targets.length;
        const tally = tallies[index]!;
        tally.elapsedMs += now.at - previous.at;
        tally.cpuMicros += now.cpu[index]! - previous.cpu[index]!;
        tally.behindCpuMicros += now.behind[index]! - previous.behind[index]!;
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

  try {
    await Promise.all([clock, ...Array.from({ length: job.connections }, worker)]);
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
  const targets: FrontTargetResult[] = tallies.map((tally, index) => {
    const sorted = Float64Array.from(tally.latencies).sort();
    return {
      label: job.targets[index]!.label,
      ok: tally.ok,
      errors: tally.errors,
      ...(tally.firstError !== undefined ? { firstError: tally.firstError } : {}),
      elapsedMs: tally.elapsedMs,
      p50Ms: percentileSorted(sorted, 50),
      p99Ms: percentileSorted(sorted, 99),
      cpuMicros: tally.cpuMicros,
      behindCpuMicros: tally.behindCpuMicros,
      machineBusyMicros: tally.machineBusyMicros,
    };
  });
  return { type: 'front-result', targets };
}

process.once('message', (job: FrontJob) => {
  run(job)
    .then(async (result) => {
      await sendAndFlush(result);
      process.disconnect();
    })
    .catch(fail);
});
