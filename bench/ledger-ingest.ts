/**
 * Child entry: applies the ingest set's pre-built blocks to a fresh ledger (processBatch, or
 * processAsync with a bounded number in flight), or — the baseline — writes as many raw LMDB records
 * of the same sizes (key = block hash, value = sideband + stored block), `batchSize` per transaction,
 * with no validation. A first untimed pass into a scratch store warms up the code paths.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeBlock } from '../src/ledger/blocks/binary.js';
import type { Block } from '../src/ledger/blocks/types.js';
import { openLedger, type ProcessResult } from '../src/ledger/ledger.js';
import { SIDEBAND_SIZE } from '../src/ledger/store/records.js';
import { openStore } from '../src/ledger/store/store.js';
import { exitWithParent, fail, sendAndFlush } from './child-ipc.js';
import { readBlockSet, toBlock } from './ledger-blocks.js';
import type { IngestJob, IngestVariant, WorkResult } from './ledger-protocol.js';

interface Outcome {
  ok: number;
  errors: number;
  firstError?: string;
}

interface Target {
  run(): Promise<Outcome>;
  close(): Promise<void>;
}

function tally(results: readonly ProcessResult[], into: Outcome): void {
  for (const result of results) {
    if (result.ok) into.ok++;
    else {
      into.errors++;
      into.firstError ??= `block refused: ${result.code}`;
    }
  }
}

async function ledgerTarget(path: string, blocks: readonly Block[], job: IngestJob, variant: 'processBatch' | 'processAsync'): Promise<Target> {
  const ledger = await openLedger({ path });
  const batch = async (): Promise<Outcome> => {
    const outcome: Outcome = { ok: 0, errors: 0 };
    for (let i = 0; i < blocks.length; i += job.batchSize) {
      tally(ledger.processBatch(blocks.slice(i, i + job.batchSize).map((block) => ({ block }))), outcome);
    }
    return outcome;
  };
  const windowed = async (): Promise<Outcome> => {
    const outcome: Outcome = { ok: 0, errors: 0 };
    let nextIndex = 0;
    // `inFlight` workers, each taking the next block in order: calls reach the ledger in block order.
    const worker = async (): Promise<void> => {
      while (nextIndex < blocks.length) tally([await ledger.processAsync(blocks[nextIndex++]!)], outcome);
    };
    await Promise.all(Array.from({ length: job.inFlight }, worker));
    return outcome;
  };
  return { run: variant === 'processBatch' ? batch : windowed, close: () => ledger.close() };
}

function lmdbTarget(path: string, blocks: readonly Block[], hashes: readonly Buffer[], batchSize: number): Target {
  const store = openStore(path);
  // Same sizes as the ledger's block records; content is the stored block after a zero sideband.
  const values = blocks.map((block) => {
    const encoded = encodeBlock(block);
    const value = Buffer.alloc(SIDEBAND_SIZE + encoded.length);
    encoded.copy(value, SIDEBAND_SIZE);
    return value;
  });
  return {
    run: async () => {
      for (let i = 0; i < values.length; i += batchSize) {
        const end = Math.min(values.length, i + batchSize);
        store.root.transactionSync(() => {
          for (let k = i; k < end; k++) store.blocks.putSync(hashes[k]!, values[k]!);
        });
      }
      return { ok: values.length, errors: 0 };
    },
    close: () => store.root.close(),
  };
}

function open(variant: IngestVariant, path: string, blocks: readonly Block[], hashes: readonly Buffer[], job: IngestJob): Promise<Target> {
  return variant === 'lmdb' ? Promise.resolve(lmdbTarget(path, blocks, hashes, job.batchSize)) : ledgerTarget(path, blocks, job, variant);
}

async function run(job: IngestJob): Promise<WorkResult> {
  const set = readBlockSet(job.blocksFile, 'ingest');
  const blocks = set.blocks.map(toBlock);
  const hashes = set.blocks.map((b) => Buffer.from(b.hash, 'hex'));
  if (job.variant === 'populate') {
    const target = await ledgerTarget(job.dir, blocks, job, 'processBatch');
    const outcome = await target.run();
    await target.close();
    return { type: 'work-result', ...outcome, elapsedMs: 0, cpuMicros: 0 };
  }
  const scratch = join(job.dir, 'warm-up');
  const warm = await open(job.variant, scratch, blocks, hashes, job);
  const warmOutcome = await warm.run();
  await warm.close();
  await rm(scratch, { recursive: true, force: true });
  if (warmOutcome.errors > 0) return { type: 'work-result', ...warmOutcome, elapsedMs: Number.NaN, cpuMicros: Number.NaN };

  const target = await open(job.variant, join(job.dir, 'timed'), blocks, hashes, job);
  await sendAndFlush({ type: 'measuring' });
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const outcome = await target.run();
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  await target.close();
  return { type: 'work-result', ...outcome, elapsedMs, cpuMicros: cpu.user + cpu.system };
}

exitWithParent(() => undefined, 5 * 60_000);
process.once('message', (job: IngestJob) => {
  run(job)
    .then(async (result) => {
      await sendAndFlush(result);
      process.disconnect();
    })
    .catch(fail);
});
