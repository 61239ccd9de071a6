import type { Client } from 'undici';
import { sendAndFlush } from './child-ipc.js';
import { processBody, readBlockSet } from './ledger-blocks.js';
import { post, runBodies } from './ledger-load-bodies.js';
import type { ProcessLoadJob } from './ledger-protocol.js';
import { BLOCK_COUNT_BODY, type LoadResult } from './load-protocol.js';
import { percentileSorted } from './stats.js';

const HASH = '"hash"';

/**
 * Phase 1: the setup blocks in order on the first connection (unmeasured), each chain's first
 * `warmupPerChain` blocks on its own connection (unmeasured), then the rest of every chain, measured
 * until the last chain is done. Phase 2: block_count over the same connections. Sends both results.
 */
export async function runProcess(job: ProcessLoadJob, connect: (count: number) => Client[]): Promise<void> {
  const set = readBlockSet(job.blocksFile, 'process');
  const setup = set.setup.map(processBody);
  const chains = set.chains.map((chain) => chain.map(processBody));
  const clients = connect(chains.length);
  try {
    for (const body of setup) {
      const answer = await post(clients[0]!, body, HASH);
      if (!answer.ok) throw new Error(`setup block refused: ${answer.error}`);
    }
    const latencies: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    const sendChain = async (client: Client, bodies: readonly string[], measured: boolean): Promise<void> => {
      for (const body of bodies) {
        const started = performance.now();
        const answer = await post(client, body, HASH);
        if (!measured) continue;
        if (answer.ok) latencies.push(performance.now() - started);
        else {
          errors++;
          firstError ??= answer.error;
        }
      }
    };
    await Promise.all(chains.map((bodies, i) => sendChain(clients[i]!, bodies.slice(0, job.warmupPerChain), false)));
    await sendAndFlush({ type: 'measuring' });
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    await Promise.all(chains.map((bodies, i) => sendChain(clients[i]!, bodies.slice(job.warmupPerChain), true)));
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const sorted = Float64Array.from(latencies).sort();
    const result: LoadResult = {
      type: 'result',
      ok: latencies.length,
      errors,
      ...(firstError !== undefined ? { firstError } : {}),
      elapsedMs,
      p50Ms: percentileSorted(sorted, 50),
      p99Ms: percentileSorted(sorted, 99),
      clientCpuMicros: cpu.user + cpu.system,
    };
    await sendAndFlush(result);
    await sendAndFlush(await runBodies(clients, [BLOCK_COUNT_BODY], '"count"', job.warmupMs, job.durationMs));
  } finally {
    await Promise.all(clients.map((client) => client.destroy()));
  }
}
