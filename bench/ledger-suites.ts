/**
 * Issue 3's ledger figures, each beside its baseline in the same run, alternating: signature
 * verification vs libsodium, ledger ingest vs raw LMDB writes, `process` over mutual TLS vs
 * block_count, account reads vs block_count.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Contender } from './contender.js';
import { readBlockSet } from './ledger-blocks.js';
import { ensureBlockFiles, PROCESS_CHAINS, PROCESS_PAIRS, type BlockFiles } from './ledger-cache.js';
import type { IngestJob, IngestVariant, VerifyJob, VerifyVariant } from './ledger-protocol.js';
import { runInterleavedRound, runLoadPhases, runPopulate, runWorkRound } from './ledger-round.js';
import { BLOCK_COUNT_BODY } from './load-protocol.js';
import { startOurs } from './ours.js';
import type { BenchPki } from './pki.js';
import type { Pin } from './procs.js';
import { summarise, type Summary } from './report.js';
import type { RoundSample } from './round.js';
import type { SuiteContext } from './suites.js';

export interface LedgerContext extends SuiteContext {
  /** A folder removed by the caller afterwards: ledgers and server folders go below it. */
  readonly dir: string;
  readonly pki: BenchPki;
  readonly serverPin: Pin;
}

export const INGEST_BATCH = 256;
export const INGEST_IN_FLIGHT = 16;
export const PROCESS_WARMUP_PER_CHAIN = 25;

export interface LedgerResults {
  readonly verify: Summary[];
  readonly ingest: Summary[];
  readonly process: Summary[];
  readonly accounts: Summary[];
  readonly ingestBlocks: number;
  readonly triples: number;
  readonly measuredProcessBlocks: number;
  readonly accountCount: number;
}

type RoundRunner = (round: number) => Promise<RoundSample[]>;

function progress(ctx: LedgerContext, what: string, round: number, rounds: number, s: RoundSample, unit: string): void {
  const load = Number.isFinite(s.clientCorePct) ? `, load core ${s.clientCorePct.toFixed(0)} %` : '';
  const errors = s.errors > 0 ? `, ${s.errors} errors (${s.firstError ?? '?'})` : '';
  ctx.log(
    `  ${what} round ${round}/${rounds} ${s.contender.padEnd(14)} ${Math.round(s.perSecond).toString().padStart(6)} ${unit}/s, CPU ${s.serverCpuMicrosPerOp.toFixed(1)} µs/${unit}, core ${s.serverCorePct.toFixed(0)} %${load}, other ${s.backgroundCorePct.toFixed(0)} %${errors}`,
  );
}

/** Rounds of [A, B, ...] in order; each runner yields one sample per label it measures. Medians per label. */
async function alternate(ctx: LedgerContext, what: string, unit: string, runners: readonly RoundRunner[]): Promise<Summary[]> {
  const rounds = ctx.options.ledgerRounds;
  const samples = new Map<string, RoundSample[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const runner of runners) {
      for (const sample of await runner(round)) {
        const list = samples.get(sample.contender) ?? [];
        list.push(sample);
        samples.set(sample.contender, list);
        progress(ctx, what, round, rounds, sample, unit);
      }
    }
  }
  return [...samples].map(([label, list]) => summarise(label, list));
}

function verifySuite(ctx: LedgerContext, files: BlockFiles): Promise<Summary[]> {
  const { warmupMs, durationMs } = ctx.options;
  const runner =
    (variant: VerifyVariant): RoundRunner =>
    async () => {
      const job: VerifyJob = { type: 'verify', variant, blocksFile: files.ingest, warmupMs, durationMs };
      return [await runWorkRound('ledger-verify.js', job, ctx.serverPin, warmupMs + durationMs + 30_000)];
    };
  return alternate(ctx, 'verify', 'sig', [runner('ours'), runner('libsodium')]);
}

function ingestSuite(ctx: LedgerContext, files: BlockFiles): Promise<Summary[]> {
  const runner =
    (variant: IngestVariant): RoundRunner =>
    async (round) => {
      const dir = join(ctx.dir, `ingest-${variant}-${round}`);
      const job: IngestJob = { type: 'ingest', variant, blocksFile: files.ingest, dir, batchSize: INGEST_BATCH, inFlight: INGEST_IN_FLIGHT };
      try {
        return [await runWorkRound('ledger-ingest.js', job, ctx.serverPin, 120_000)];
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
  return alternate(ctx, 'ingest', 'block', [runner('processBatch'), runner('processAsync'), runner('lmdb')]);
}

async function startServer(ctx: LedgerContext, dir: string): Promise<Contender & { readonly pid: number }> {
  return startOurs({ dir, pki: ctx.pki, keyType: 'ec-p256', tls: true, pin: ctx.serverPin });
}

/** Per round: a fresh server and ledger, process (chains on 16 connections), then block_count over the same connections. */
function processSuite(ctx: LedgerContext, files: BlockFiles): Promise<Summary[]> {
  const { warmupMs, durationMs } = ctx.options;
  return alternate(ctx, 'process', 'req', [
    async (round) => {
      const dir = join(ctx.dir, `process-${round}`);
      const server = await startServer(ctx, dir);
      try {
        const origin = `https://${server.host}:${server.port}`;
        const job = {
          type: 'process',
          origin,
          blocksFile: files.process,
          warmupPerChain: PROCESS_WARMUP_PER_CHAIN,
          warmupMs,
          durationMs,
          ...ctx.client,
        } as const;
        return await runLoadPhases(['process', 'block_count'], server.pid, job, ctx.loadPin, 120_000);
      } finally {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  ]);
}

/** How long each request kind runs before the next takes over, in the account-read suite. */
export const ACCOUNT_SLOT_MS = 200;

/**
 * One server on a ledger holding the ingest set's accounts; per round, block_count, account_balance
 * and account_info take turns in 200 ms slots on the same connections. Alternating whole 3 s windows
 * let a few seconds of a busier machine land on one kind only (a spread of ±20 % between runs).
 */
async function accountsSuite(ctx: LedgerContext, files: BlockFiles, accounts: readonly string[]): Promise<Summary[]> {
  const dir = join(ctx.dir, 'accounts');
  const populated = await runPopulate(
    { type: 'ingest', variant: 'populate', blocksFile: files.ingest, dir: join(dir, 'ledger'), batchSize: INGEST_BATCH, inFlight: 1 },
    120_000,
  );
  if (populated.errors > 0) throw new Error(`populating the account-read ledger failed: ${populated.firstError ?? ''}`);
  const server = await startServer(ctx, dir);
  try {
    const origin = `https://${server.host}:${server.port}`;
    const { warmupMs, durationMs, connections } = ctx.options;
    const body = (action: string) => accounts.map((account) => JSON.stringify({ action, account }));
    const kinds = [
      { label: 'block_count', bodies: [BLOCK_COUNT_BODY], expect: '"count"' },
      { label: 'account_balance', bodies: body('account_balance'), expect: '"balance"' },
      { label: 'account_info', bodies: body('account_info'), expect: '"frontier"' },
    ];
    const job = {
      type: 'interleaved',
      origin,
      kinds,
      serverPid: server.pid,
      connections,
      slotMs: ACCOUNT_SLOT_MS,
      warmupMs,
      durationMs,
      ...ctx.client,
    } as const;
    const timeoutMs = warmupMs + durationMs * kinds.length + 30_000;
    return await alternate(ctx, 'accounts', 'req', [async () => runInterleavedRound(job, ctx.loadPin, timeoutMs)]);
  } finally {
    await server.stop();
  }
}

export async function runLedgerSuites(ctx: LedgerContext): Promise<LedgerResults> {
  const files = await ensureBlockFiles(ctx.log);
  const { accounts, blocks } = readBlockSet(files.ingest, 'ingest');
  const ingestBlocks = blocks.length;
  return {
    verify: await verifySuite(ctx, files),
    ingest: await ingestSuite(ctx, files),
    process: await processSuite(ctx, files),
    accounts: await accountsSuite(ctx, files, accounts),
    ingestBlocks,
    triples: ingestBlocks,
    measuredProcessBlocks: PROCESS_CHAINS * (2 * PROCESS_PAIRS - PROCESS_WARMUP_PER_CHAIN),
    accountCount: accounts.length,
  };
}
