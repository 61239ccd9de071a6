/**
 * `npm run bench`: keep-alive mutual-TLS block_count (contenders taking turns in 400 ms slots,
 * front-suites.ts), new mutual-TLS connections, and session resumption, for our service vs a
 * minimal node:https server vs nginx in front of our service; then the ledger suites
 * (ledger-suites.ts: signature checks, ingest, `process`, account reads), policy, wallets, the
 * worst stall, and node mode (front-suites.ts: ours in front of a node against nginx and the bare
 * Node front).
 * Everything on loopback, in child processes, alternating contenders; prints the table and
 * with `--write-results` writes it to bench/results.md. `--quick` for short rounds, `--no-pin` to skip
 * taskset, `--install-nginx` to apt-get install nginx when missing (otherwise its rows are skipped),
 * `--stall-only` for just the stall figure (stall.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyType } from '../src/pki/keys.js';
import type { Contender } from './contender.js';
import { canPin, environmentLine } from './environment.js';
import { ledgerSections } from './ledger-report.js';
import { runLedgerSuites } from './ledger-suites.js';
import { startMinimal } from './minimal.js';
import { startNginx } from './nginx.js';
import { ensureNginx, NGINX } from './nginx-install.js';
import { existsSync } from 'node:fs';
import { stallSection, stallSuite } from './stall.js';
import { parseOptions, type BenchOptions } from './options.js';
import { policyMetricsSection, policyMetricsSuite } from './policy-bench.js';
import { startOurs } from './ours.js';
import { makeBenchPki, type BenchPki } from './pki.js';
import { armWatchdog, killAllChildrenNow, stopAllChildren, type Pin } from './procs.js';
import { errorNotes, handshakeSection, resumptionSection, type Summary } from './report.js';
import { handshakeSuite, resumptionSuite, type SuiteContext } from './suites.js';
import { keepAliveInterleaved, nodeModeSuite, type FrontSettings } from './front-suites.js';
import { runWalletSuite } from './wallet-suite.js';

const RESULTS_FILE = fileURLToPath(new URL('../../bench/results.md', import.meta.url));
const KEY_LABEL: Record<KeyType, string> = { 'ec-p256': 'ECDSA P-256', 'rsa-2048': 'RSA 2048' };

interface ContenderSet {
  readonly ours: Contender;
  readonly all: Contender[];
}

async function startSet(dir: string, pki: BenchPki, keyType: KeyType, withNginx: boolean, pin: Pin, log: (line: string) => void): Promise<ContenderSet> {
  const started: Contender[] = [];
  try {
    const ours = await startOurs({ dir: join(dir, 'ours'), pki, keyType, tls: true, pin });
    started.push(ours);
    started.push(await startMinimal({ dir: join(dir, 'minimal'), pki, keyType, pin }));
    if (withNginx) {
      const upstream = await startOurs({ dir: join(dir, 'ours-plain'), pki, keyType, tls: false, pin });
      try {
        started.push(await startNginx({ dir: join(dir, 'nginx'), pki, keyType, upstreamPort: upstream.port, pin }, upstream));
      } catch (error) {
        await upstream.stop();
        throw error;
      }
    }
    log(`servers (${KEY_LABEL[keyType]}): ${started.map((c) => `${c.name} 127.0.0.1:${c.port}`).join(', ')}`);
    return { ours, all: started };
  } catch (error) {
    await stopSet(started);
    throw error;
  }
}

async function stopSet(contenders: readonly Contender[]): Promise<void> {
  for (const contender of contenders) await contender.stop().catch(() => undefined);
}

async function run(options: BenchOptions, log: (line: string) => void): Promise<string> {
  const started = Date.now();
  const pinned = options.pin && canPin();
  const serverPin: Pin = pinned ? 0 : undefined;
  if (options.stallOnly) return runStallOnly(options, serverPin, log);
  const withNginx = existsSync(NGINX) || (options.installNginx && ensureNginx());
  const environment = environmentLine(pinned);
  log(environment);
  if (!withNginx)
    log(
      options.installNginx
        ? 'nginx could not be installed: its rows are left out'
        : `${NGINX} not found: the nginx rows are left out (--install-nginx installs it with apt-get)`,
    );
  log(`rounds: ${options.warmupMs} ms warm-up + ${options.durationMs} ms measured each${options.quick ? ' (--quick)' : ''}; medians reported`);

  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-bench-'));
  try {
    const pki = await makeBenchPki();
    const ctx: SuiteContext = {
      options,
      client: { certPem: pki.client.certPem, keyPem: pki.client.keyPem, caPem: pki.ca.certPem },
      loadPin: pinned ? 1 : undefined,
      log,
    };

    const front: FrontSettings = {
      slotMs: FRONT_SLOT_MS,
      durationMs: options.quick ? 4000 : 12000,
      warmupMs: options.quick ? 500 : 1500,
      connections: options.connections,
      client: ctx.client,
      serverPin,
      loadPin: ctx.loadPin,
      log,
    };
    let keepAlive: string[];
    let resumption: Summary[];
    const handshakes: Array<{ keyLabel: string; rows: Summary[] }> = [];
    const ec = await startSet(join(dir, 'ec'), pki, 'ec-p256', withNginx, serverPin, log);
    try {
      keepAlive = await keepAliveInterleaved(front, ec.all);
      handshakes.push({ keyLabel: KEY_LABEL['ec-p256'], rows: await handshakeSuite(ctx, KEY_LABEL['ec-p256'], ec.all) });
      resumption = await resumptionSuite(ctx, ec.ours);
    } finally {
      await stopSet(ec.all);
    }
    const rsa = await startSet(join(dir, 'rsa'), pki, 'rsa-2048', withNginx, serverPin, log);
    try {
      handshakes.push({ keyLabel: KEY_LABEL['rsa-2048'], rows: await handshakeSuite(ctx, KEY_LABEL['rsa-2048'], rsa.all) });
    } finally {
      await stopSet(rsa.all);
    }

    const ledger = await runLedgerSuites({ ...ctx, dir: join(dir, 'ledger'), pki, serverPin });
    const policyRows = await policyMetricsSuite(ctx, join(dir, 'policy'), pki, serverPin);
    const wallet = await runWalletSuite({ ...ctx, dir: join(dir, 'wallet'), pki, serverPin });
    const stall = await stallSuite({ dir, pki, client: ctx.client, durationMs: options.stallMs, bigClients: STALL_BIG_CLIENTS, pin: serverPin, log });
    const nodeMode = await nodeModeSuite(front, join(dir, 'node'), pki);

    const notes = errorNotes([...handshakes.flatMap((h) => h.rows.map((r) => ({ ...r, label: `${h.keyLabel} ${r.label}` }))), ...resumption]);
    return [
      `## Benchmark results (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${options.quick ? ', --quick' : ''})`,
      '',
      `Environment: ${environment}`,
      '',
      `Each round: ${options.warmupMs} ms warm-up + ${options.durationMs} ms measured; contenders alternate (A, B, C, A, B, C, ...); figures are medians over rounds. ` +
        'Server CPU = user + system time from /proc of every server process (nginx: master + worker + our plain-HTTP upstream) over the measured window, divided by completed operations; "core %" columns are shares of one core over the window, "other" = the rest of the machine (other processes, steal). ' +
        'Contenders: **ours** = startService() with mutual TLS; **minimal** = bare node:https + JSON.parse + the same LMDB counters; **nginx** = nginx mutual TLS, keep-alive proxy to ours over plain HTTP (its trust file holds the client certificate and the local CA: nginx has no partial-chain option). ' +
        'The load generator (undici Pool for keep-alive; tls.connect + a raw HTTP/1.1 request with Connection: close for new connections, server chain not verified to spare its core) is one Node process. ' +
        'When "other core %" is high, another workload shared the machine: trust CPU per operation over req/s and conn/s.',
      '',
      ...keepAlive,
      '',
      ...handshakeSection(handshakes, options.handshakeConcurrency),
      '',
      ...resumptionSection(resumption, options.handshakeConcurrency),
      '',
      ...ledgerSections(ledger, options.connections),
      '',
      ...policyMetricsSection(policyRows, options.connections),
      '',
      ...wallet,
      '',
      ...stallSection(stall, STALL_BIG_CLIENTS),
      '',
      '## Node mode',
      '',
      ...nodeMode,
      ...(notes.length > 0 ? ['', ...notes] : []),
      '',
      `Total bench time: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
    ].join('\n');
  } finally {
    await stopAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

const STALL_BIG_CLIENTS = 3;
/** The keep-alive and node-mode contenders take turns in slots this long. */
const FRONT_SLOT_MS = 400;

async function runStallOnly(options: BenchOptions, pin: Pin, log: (line: string) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-bench-'));
  try {
    const pki = await makeBenchPki();
    const client = { certPem: pki.client.certPem, keyPem: pki.client.keyPem, caPem: pki.ca.certPem };
    const stall = await stallSuite({ dir, pki, client, durationMs: options.stallMs, bigClients: STALL_BIG_CLIENTS, pin, log });
    return stallSection(stall, STALL_BIG_CLIENTS).join('\n');
  } finally {
    await stopAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  armWatchdog(options.quick ? 12 * 60_000 : 30 * 60_000);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const markdown = await run(options, log);
  log('');
  log(markdown);
  if (options.writeResults && !options.stallOnly) {
    await writeFile(RESULTS_FILE, markdown);
    log(`written to ${RESULTS_FILE}`);
  } else {
    log(`(bench/results.md left as it is; --write-results writes it)`);
  }
}

process.on('exit', killAllChildrenNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping the servers and the load generator\n`);
    void stopAllChildren().finally(() => process.exit(130));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAllChildren();
  process.exitCode = 1;
});
