/**
 * `node dist/bench/policy-micro.js`: the dispatcher's own cost per `block_count`, in process,
 * with the open gate and no metrics vs a 20-rule policy and Prometheus metrics (what the
 * policy/metrics table of `npm run bench` measures end to end, without TLS, HTTP or a second
 * process, so it is readable even on a busy machine). Alternating batches; medians.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openLedger } from '../src/ledger/ledger.js';
import { NO_METRICS, type Metrics } from '../src/metrics/metrics.js';
import { PrometheusMetrics } from '../src/metrics/prometheus.js';
import { PolicyGate } from '../src/policy/gate.js';
import { loadPolicy } from '../src/policy/load.js';
import { openPolicy } from '../src/policy/policy.js';
import { ACTIONS, NODE_CONTROL_ACTIONS } from '../src/rpc/action-table.js';
import { createDispatcher, type Dispatch } from '../src/rpc/dispatch.js';
import type { RequestContext } from '../src/rpc/request-context.js';
import type { ActionContext } from '../src/rpc/action.js';
import { twentyRulePolicy } from './policy-bench.js';

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-policy-micro-'));
  const ledger = await openLedger({ path: join(dir, 'ledger') });
  try {
    await writeFile(join(dir, 'policy.toml'), twentyRulePolicy(false));
    const logger = pino({ level: 'silent' });
    const base = {
      actions: ACTIONS,
      controlActions: NODE_CONTROL_ACTIONS,
      enableControl: false,
      maxJsonDepth: 20, // block_count needs the ledger only.
      context: { ledger, node: { vendor: 'bench', startedAt: 0n }, requestStop: () => {} } as unknown as ActionContext,
    };
    const prometheus = new PrometheusMetrics({
      openConnections: () => 0,
      trust: () => undefined,
      serverCertificate: () => undefined,
      ledgerCounts: () => undefined,
    });
    const variants: Array<{ name: string; dispatch: Dispatch; metrics: Metrics; times: number[] }> = [
      {
        name: 'open gate, metrics off',
        dispatch: createDispatcher({ ...base, gate: new PolicyGate(openPolicy(), logger, NO_METRICS) }),
        metrics: NO_METRICS,
        times: [],
      },
      {
        name: '20-rule policy, metrics off',
        dispatch: createDispatcher({ ...base, gate: new PolicyGate(await loadPolicy(join(dir, 'policy.toml')), logger, NO_METRICS) }),
        metrics: NO_METRICS,
        times: [],
      },
      {
        name: 'open gate, metrics on',
        dispatch: createDispatcher({ ...base, gate: new PolicyGate(openPolicy(), logger, prometheus) }),
        metrics: prometheus,
        times: [],
      },
      {
        name: '20-rule policy, metrics on',
        dispatch: createDispatcher({ ...base, gate: new PolicyGate(await loadPolicy(join(dir, 'policy.toml')), logger, prometheus) }),
        metrics: prometheus,
        times: [],
      },
    ];
    const identity = { commonName: 'bench.client', fingerprint256: 'AA' };
    const body = Buffer.from('{"action":"block_count"}');
    const batch = 50_000;
    for (let round = 0; round < 12; round++) {
      for (const variant of variants) {
        const started = process.hrtime.bigint();
        for (let i = 0; i < batch; i++) {
          const context: RequestContext = { client: () => identity };
          const t = process.hrtime.bigint();
          void variant.dispatch(body, context);
          variant.metrics.answered('block_count', 'ok', Number(process.hrtime.bigint() - t) / 1e9, context);
        }
        if (round >= 2) variant.times.push(Number(process.hrtime.bigint() - started) / batch);
      }
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    for (const variant of variants) process.stdout.write(`${variant.name.padEnd(28)} ${median(variant.times).toFixed(0)} ns per request\n`);
    process.stdout.write(`added by policy + metrics: ${(median(variants[3]!.times) - median(variants[0]!.times)).toFixed(0)} ns per request\n`);
  } finally {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
