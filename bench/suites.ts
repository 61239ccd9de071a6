import type { Contender } from './contender.js';
import type { ConnectJob, TlsClientMaterial } from './load-protocol.js';
import type { BenchOptions } from './options.js';
import { summarise, type Summary } from './report.js';
import { runRound, type RoundSample } from './round.js';
import type { Pin } from './procs.js';

export interface SuiteContext {
  readonly options: BenchOptions;
  readonly client: TlsClientMaterial;
  readonly loadPin: Pin;
  readonly log: (line: string) => void;
}

function progress(ctx: SuiteContext, what: string, round: number, rounds: number, label: string, s: RoundSample, unit: string, cpuUnit: 'µs' | 'ms'): void {
  const cpu = cpuUnit === 'ms' ? `${(s.serverCpuMicrosPerOp / 1000).toFixed(3)} ms` : `${s.serverCpuMicrosPerOp.toFixed(1)} µs`;
  const resumed = s.resumedFraction === undefined ? '' : `, resumed ${(s.resumedFraction * 100).toFixed(1)} %`;
  const errors = s.errors > 0 ? `, ${s.errors} errors` : '';
  ctx.log(
    `  ${what} round ${round}/${rounds} ${label.padEnd(14)} ${Math.round(s.perSecond).toString().padStart(6)} ${unit}/s, server ${cpu}/${unit}, server core ${s.serverCorePct.toFixed(0)} %, load core ${s.clientCorePct.toFixed(0)} %, other ${s.backgroundCorePct.toFixed(0)} %${resumed}${errors}`,
  );
}

/** Runs `rounds` rounds over the entries in order (A, B, C, A, B, C, ...) and returns their medians. */
async function alternate<T>(
  ctx: SuiteContext,
  what: string,
  rounds: number,
  entries: ReadonlyArray<{ label: string; contender: Contender; job: T }>,
  run: (c: Contender, job: T) => Promise<RoundSample>,
  unit: string,
  cpuUnit: 'µs' | 'ms',
): Promise<Summary[]> {
  const samples = new Map<string, RoundSample[]>(entries.map((e) => [e.label, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const entry of entries) {
      const sample = await run(entry.contender, entry.job);
      samples.get(entry.label)!.push(sample);
      progress(ctx, what, round, rounds, entry.label, sample, unit, cpuUnit);
    }
  }
  return entries.map((e) => summarise(e.label, samples.get(e.label)!));
}

function connectJob(ctx: SuiteContext, contender: Contender, resume: boolean): ConnectJob {
  const { options } = ctx;
  return {
    type: 'connect',
    host: contender.host,
    port: contender.port,
    concurrency: options.handshakeConcurrency,
    resume,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    ...ctx.client,
  };
}

export function handshakeSuite(ctx: SuiteContext, keyLabel: string, contenders: readonly Contender[]): Promise<Summary[]> {
  const entries = contenders.map((contender) => ({ label: contender.name, contender, job: connectJob(ctx, contender, false) }));
  return alternate(ctx, `handshake ${keyLabel}`, ctx.options.handshakeRounds, entries, (c, job) => runRound(c, job, ctx.loadPin), 'conn', 'ms');
}

export function resumptionSuite(ctx: SuiteContext, ours: Contender): Promise<Summary[]> {
  const entries = [
    { label: 'full handshake', contender: ours, job: connectJob(ctx, ours, false) },
    { label: 'resumed', contender: ours, job: connectJob(ctx, ours, true) },
  ];
  return alternate(ctx, 'resumption', ctx.options.resumptionRounds, entries, (c, job) => runRound(c, job, ctx.loadPin), 'conn', 'ms');
}
