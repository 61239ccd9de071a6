/**
 * What the per-client policy and the metrics cost: keep-alive mutual-TLS `block_count` on our
 * service without them, with a 20-rule policy and metrics on, and with the same plus a cached
 * `block_count` (cached vs uncached read). Each in its own child process, rounds alternating.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installTrustedCert } from '../src/tls/trust-dir.js';
import type { Contender } from './contender.js';
import { isListening, type KeepAliveJob } from './load-protocol.js';
import type { BenchPki } from './pki.js';
import { nextMessage, spawnNodeEntry, stopChild, type Pin } from './procs.js';
import { fixed, ratioText, summarise, table, whole, type Summary } from './report.js';
import { runRound, type RoundSample } from './round.js';
import type { SuiteContext } from './suites.js';

type Variant = 'plain' | 'policy+metrics' | 'policy+metrics+cache';

/** 19 rules that don't match the bench client, then the one that does (by CN): every lookup walks the tables. */
export function twentyRulePolicy(cache: boolean): string {
  const lines = ['[default]', 'allow = ["read"]', 'rate = 10', 'burst = 20', ''];
  for (let i = 1; i <= 19; i++) {
    const match = i % 3 === 0 ? `fingerprint = ["${'AB:'.repeat(31)}${String(i).padStart(2, '0')}"]` : `cn = ["app${i}.example"]`;
    lines.push(`[clients.app${i}]`, match, `allow = ["read"${i % 2 === 0 ? ', "process"' : ''}]`, `rate = ${i * 10}`, `in_flight = ${i}`, '');
  }
  lines.push(
    '[clients.bench]',
    'cn = ["bench.client"]',
    'allow = ["read", "utility", "process"]',
    'rate = 1000000000',
    'burst = 1000000000',
    'in_flight = 100000',
  );
  lines.push('[clients.bench.weights]', 'process = 10', 'ledger = 5', '[clients.bench.max_count]', 'frontiers = 1000', '');
  if (cache) lines.push('[cache.ttl]', 'block_count = 1', '');
  return lines.join('\n');
}

async function startVariant(dir: string, pki: BenchPki, variant: Variant, pin: Pin): Promise<Contender> {
  await mkdir(join(dir, 'clients'), { recursive: true });
  const server = pki.servers['ec-p256'];
  await writeFile(join(dir, 'server.cert.pem'), server.certPem);
  await writeFile(join(dir, 'server.key.pem'), server.keyPem, { mode: 0o600 });
  await installTrustedCert(join(dir, 'clients'), pki.client.certPem);
  const toml = ['address = "127.0.0.1"', 'port = 0'];
  if (variant !== 'plain') {
    await writeFile(join(dir, 'policy.toml'), twentyRulePolicy(variant === 'policy+metrics+cache'));
    toml.push('policy.file = "policy.toml"', 'metrics.enable = true', 'metrics.address = "127.0.0.1"', 'metrics.port = 0');
  }
  toml.push(
    '[secure]',
    'enable = true',
    'server_cert_path = "server.cert.pem"',
    'server_key_path = "server.key.pem"',
    'client_certs_path = "clients"',
    '[logging]',
    'log_rpc = false',
    '[ledger]',
    'path = "ledger"',
    '',
  );
  const configPath = join(dir, 'config-rpc.toml');
  await writeFile(configPath, toml.join('\n'));
  const child = spawnNodeEntry('server-ours.js', [configPath], pin);
  try {
    const { port } = await nextMessage(child, isListening, 30_000);
    const pid = child.pid!;
    return { name: 'ours', host: '127.0.0.1', port, cpuPids: () => [pid], stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

export async function policyMetricsSuite(ctx: SuiteContext, dir: string, pki: BenchPki, serverPin: Pin): Promise<Summary[]> {
  const variants: Variant[] = ['plain', 'policy+metrics', 'policy+metrics+cache'];
  const started: Array<{ label: Variant; contender: Contender }> = [];
  try {
    for (const label of variants) started.push({ label, contender: await startVariant(join(dir, label.replace(/\+/g, '-')), pki, label, serverPin) });
    const samples = new Map<Variant, RoundSample[]>(variants.map((v) => [v, []]));
    for (let round = 1; round <= ctx.options.keepAliveRounds; round++) {
      for (const { label, contender } of started) {
        const job: KeepAliveJob = {
          type: 'keepalive',
          origin: `https://${contender.host}:${contender.port}`,
          connections: ctx.options.connections,
          warmupMs: ctx.options.warmupMs,
          durationMs: ctx.options.durationMs,
          ...ctx.client,
        };
        const sample = await runRound(contender, job, ctx.loadPin);
        samples.get(label)!.push(sample);
        ctx.log(
          `  policy/metrics round ${round}/${ctx.options.keepAliveRounds} ${label.padEnd(22)} ${Math.round(sample.perSecond)} req/s, server ${sample.serverCpuMicrosPerOp.toFixed(1)} µs/req, other ${sample.backgroundCorePct.toFixed(0)} %`,
        );
      }
    }
    return variants.map((v) => summarise(v, samples.get(v)!));
  } finally {
    for (const { contender } of started) await contender.stop().catch(() => undefined);
  }
}

export function policyMetricsSection(rows: readonly Summary[], connections: number): string[] {
  const by = (label: string): Summary | undefined => rows.find((r) => r.label === label);
  const plain = by('plain');
  const policy = by('policy+metrics');
  const cached = by('policy+metrics+cache');
  const lines = [
    `### Per-client policy and metrics: keep-alive mutual TLS \`block_count\` (${connections} connections; a 20-rule policy, metrics listener on)`,
    '',
    ...table(
      ['variant', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'other core %', 'rounds', 'errors'],
      rows.map((r) => [
        r.label,
        whole(r.perSecond),
        fixed(r.p50Ms, 2),
        fixed(r.p99Ms, 2),
        fixed(r.serverCpuMicrosPerOp, 1),
        fixed(r.backgroundCorePct, 0),
        String(r.rounds),
        String(r.errors),
      ]),
    ),
    '',
  ];
  // CPU per request, inverted so that "≥ 0.9" reads as "costs under ~10 %".
  if (plain && policy)
    lines.push(`Policy + metrics vs none, CPU per request: ${ratioText(plain.serverCpuMicrosPerOp, policy.serverCpuMicrosPerOp, { atLeast: 0.9 })}.`);
  if (policy && cached)
    lines.push(
      `Cached \`block_count\` vs uncached (both with policy + metrics), CPU per request: ${ratioText(policy.serverCpuMicrosPerOp, cached.serverCpuMicrosPerOp)} (above 1: the cached read is cheaper).`,
    );
  return lines;
}
