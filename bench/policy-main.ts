/**
 * `node dist/bench/policy-main.js [--quick] [--no-pin]`: only the policy/metrics comparison
 * (policy-bench.ts), for trying it without the whole `npm run bench`, which runs it too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canPin } from './environment.js';
import { parseOptions } from './options.js';
import { makeBenchPki } from './pki.js';
import { policyMetricsSection, policyMetricsSuite } from './policy-bench.js';
import { armWatchdog, killAllChildrenNow, stopAllChildren } from './procs.js';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  armWatchdog(5 * 60_000);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const pinned = options.pin && canPin();
  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-bench-policy-'));
  try {
    const pki = await makeBenchPki();
    const ctx = { options, client: { certPem: pki.client.certPem, keyPem: pki.client.keyPem, caPem: pki.ca.certPem }, loadPin: pinned ? 1 : undefined, log };
    const rows = await policyMetricsSuite(ctx, dir, pki, pinned ? 0 : undefined);
    log('');
    for (const line of policyMetricsSection(rows, options.connections)) log(line);
  } finally {
    await stopAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

process.on('exit', killAllChildrenNow);
main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAllChildren();
  process.exitCode = 1;
});
