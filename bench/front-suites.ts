/**
 * The front suites, shared by `npm run bench` and `npm run bench:front`: servers take turns in
 * short slots on the same keep-alive load (front-load.ts), CPU read from /proc at every slot
 * boundary, so a noisy moment hits every contender alike.
 *  - keepAliveInterleaved: keep-alive mutual-TLS `block_count`, ours (embedded) against the bare
 *    node:https server (and nginx in front of ours, when given).
 *  - nodeModeSuite: client → (ours in node mode over HTTP | over IPC | the bare Node front over HTTP
 *    | over IPC | nginx with mutual TLS) → the same upstream (our embedded server, plain HTTP + IPC
 *    listener), plus the upstream called directly, for `block_count` and `account_info`: front CPU
 *    per request, req/s, p50/p99 under load; the same paths one request at a time, for the latency
 *    a front adds; 1 worker against 2.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender } from './contender.js';
import { childPids } from './cpu.js';
import { isFrontResult, type FrontJob, type FrontTarget, type FrontTargetResult } from './front-protocol.js';
import { freePort } from './free-port.js';
import type { TlsClientMaterial } from './load-protocol.js';
import { startMinimal } from './minimal.js';
import { startNginx } from './nginx.js';
import { NGINX } from './nginx-install.js';
import { startOurs, writeOursConfig } from './ours.js';
import type { BenchPki } from './pki.js';
import { nextMessage, spawnNodeEntry, stopChild, type Pin } from './procs.js';

const GENESIS_ACCOUNT = 'nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtdo';
const BLOCK_COUNT = '{"action":"block_count"}';
const ACCOUNT_INFO = `{"action":"account_info","account":"${GENESIS_ACCOUNT}"}`;

/** How the suites run: slot length, load per contender, where the processes are pinned. */
export interface FrontSettings {
  readonly slotMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly client: TlsClientMaterial;
  readonly serverPin: Pin;
  readonly loadPin: Pin;
  readonly log: (line: string) => void;
}

export function frontMethodLine(settings: FrontSettings): string {
  return `Servers take turns in ${settings.slotMs} ms slots for ${settings.durationMs} ms each (after ${settings.warmupMs} ms warm-up), ${settings.connections} keep-alive connections; CPU = user + system from /proc at every slot boundary, divided by the requests of that server's slots.`;
}

function frontJob(settings: FrontSettings, targets: FrontTarget[]): FrontJob {
  return {
    type: 'front',
    targets,
    connections: settings.connections,
    slotMs: settings.slotMs,
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    ...settings.client,
  };
}

interface Started {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The built CLI (`nano-rpc serve`), for `[workers] count` > 1 (node:cluster needs the CLI's entry). */
async function startCliWith(dir: string, pki: BenchPki, tables: string, workers: number, pin: Pin): Promise<Started & { pids(): number[] }> {
  // node:cluster needs the CLI's entry; the config is ours.ts's, plus the workers.
  await writeOursConfig({ dir, pki, keyType: 'ec-p256', tls: true, tables: `${tables}\n[workers]\ncount = ${workers}` });
  const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
  const [command, args] =
    pin === undefined
      ? [process.execPath, [cli, 'serve', '--config', 'config-rpc.toml']]
      : ['taskset', ['-c', String(pin), process.execPath, cli, 'serve', '--config', 'config-rpc.toml']];
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nano-rpc serve (${workers} workers) did not listen:\n${out}`)), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = out.match(/RPC listening address: https:\/\/127\.0\.0\.1:(\d+)\//g) ?? [];
      if (listening.length >= workers) {
        clearTimeout(timer);
        resolve(Number(/:(\d+)\/$/.exec(listening[0]!)![1]));
      }
    });
    child.once('exit', () => reject(new Error(`nano-rpc serve exited:\n${out}`)));
  });
  child.stdout.resume();
  const pid = child.pid!;
  return {
    port,
    pid,
    pids: () => [pid, ...childPids(pid)],
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function runFront(job: FrontJob, pin: Pin): Promise<readonly FrontTargetResult[]> {
  const child = spawnNodeEntry('front-load.js', [], pin);
  try {
    const result = nextMessage(child, isFrontResult, job.durationMs * job.targets.length + job.warmupMs + 60_000);
    child.send(job);
    return (await result).targets;
  } finally {
    await stopChild(child);
  }
}

const BARE_IPC = 'bare node:https → IPC upstream';
const BARE_HTTP = 'bare node:https → HTTP upstream';

const f1 = (n: number): string => n.toFixed(1);
const f3 = (n: number): string => n.toFixed(3);
const f2 = (n: number): string => n.toFixed(2);
const cpuPerReq = (r: FrontTargetResult): number => r.cpuMicros / Math.max(1, r.ok);
const perSecond = (r: FrontTargetResult): number => (r.ok * 1000) / Math.max(1, r.elapsedMs);

function rows(results: readonly FrontTargetResult[], reference: string): string[] {
  const base = results.find((r) => r.label === reference);
  return results.map((r) => {
    const ratio = base && r.label !== reference ? `${f2(cpuPerReq(base) / cpuPerReq(r))}x` : '';
    const behind = r.behindCpuMicros > 0 ? `${f1(r.behindCpuMicros / Math.max(1, r.ok))} µs` : '';
    const errors = r.errors > 0 ? ` (${r.errors} errors: ${r.firstError ?? ''})` : '';
    return `| ${r.label} | ${Math.round(perSecond(r))} | ${f2(r.p50Ms)} / ${f2(r.p99Ms)} ms | ${f1(cpuPerReq(r))} µs | ${behind} | ${ratio}${errors} |`;
  });
}

/** Our fronts against the bare Node front on the same transport: our framework's share of the cost (target ≥ 0.8). */
function againstBare(results: readonly FrontTargetResult[]): string[] {
  const pairs = [
    ['ours → HTTP upstream', BARE_HTTP],
    ['ours → IPC upstream', BARE_IPC],
  ] as const;
  return pairs.flatMap(([ours, bare]) => {
    const a = results.find((r) => r.label === ours);
    const b = results.find((r) => r.label === bare);
    return a && b ? [`- ${bare} ÷ ${ours}, CPU/req: ${f2(cpuPerReq(b) / cpuPerReq(a))}x (target ≥ 0.8)`] : [];
  });
}

/** Keep-alive mutual-TLS `block_count`: ours against the bare node:https server (and nginx in front of ours), interleaved. */
export async function keepAliveInterleaved(settings: FrontSettings, contenders: readonly Contender[]): Promise<string[]> {
  settings.log(`keep-alive block_count: ${contenders.map((c) => c.name).join(', ')}, interleaved …`);
  const results = await runFront(
    frontJob(
      settings,
      contenders.map((c) => ({
        label: c.name,
        origin: `https://${c.host}:${c.port}`,
        tls: true,
        pids: c.cpuPids(),
        behindPids: [],
        body: BLOCK_COUNT,
        expect: '"count"',
      })),
    ),
    settings.loadPin,
  );
  const ours = results.find((r) => r.label === 'ours');
  const nginx = results.find((r) => r.label === 'nginx');
  return [
    `### 1. Keep-alive mutual-TLS \`block_count\`, ${settings.connections} connections, servers taking turns in ${settings.slotMs} ms slots`,
    '',
    frontMethodLine(settings) + (nginx ? ' nginx counts its master, its worker and our plain-HTTP server behind it.' : ''),
    '',
    '| server | req/s | p50 / p99 | server CPU/req | | minimal ÷ server CPU/req (target for ours ≥ 0.8) |',
    '|---|---|---|---|---|---|',
    ...rows(results, 'minimal'),
    ...(ours && nginx ? ['', `- ours ÷ nginx in front of ours, req/s: ${f2(perSecond(ours) / perSecond(nginx))}x (target ≥ 2x)`] : []),
    '',
  ];
}

/** Node mode against nginx and the bare Node front, over HTTP and IPC, under load and one request at a time; then 1 worker against 2. */
export async function nodeModeSuite(settings: FrontSettings, dir: string, pki: BenchPki): Promise<string[]> {
  const { serverPin, loadPin, log } = settings;
  const job = (targets: FrontTarget[]): FrontJob => frontJob(settings, targets);
  const out: string[] = [];
  const ipcPort = await freePort();
  const upstream = await startOurs({
    dir: join(dir, 'upstream'),
    pki,
    keyType: 'ec-p256',
    tls: false,
    tables: `[ipc_listener]\nenable = true\naddress = "127.0.0.1"\nport = ${ipcPort}`,
    pin: serverPin,
  });
  const started: Started[] = [upstream];
  // A mutual-TLS front on 127.0.0.1, the upstream's CPU reported beside its own.
  const behindUpstream = (label: string, port: number, pids: number[], body: string, expect: string): FrontTarget => ({
    label,
    origin: `https://127.0.0.1:${port}`,
    tls: true,
    pids,
    behindPids: [upstream.pid],
    body,
    expect,
  });
  try {
    const viaHttp = await startOurs({
      dir: join(dir, 'front-http'),
      pki,
      keyType: 'ec-p256',
      tls: true,
      tables: `[backend]\nmode = "node"\n[[backend.upstream]]\nurl = "http://127.0.0.1:${upstream.port}"\nconnections = 16`,
      pin: serverPin,
    });
    started.push(viaHttp);
    const viaIpc = await startOurs({
      dir: join(dir, 'front-ipc'),
      pki,
      keyType: 'ec-p256',
      tls: true,
      tables: `[backend]\nmode = "node"\n[[backend.upstream]]\nipc = "tcp://127.0.0.1:${ipcPort}"\nconnections = 16`,
      pin: serverPin,
    });
    started.push(viaIpc);
    // The least a Node front can do (server-minimal-front.ts), over each transport: the floor
    // that tells our framework's cost apart from the platform's.
    const bareIpc = await startMinimal({ dir: join(dir, 'bare-ipc'), pki, keyType: 'ec-p256', pin: serverPin, upstream: `tcp://127.0.0.1:${ipcPort}` });
    started.push({ port: bareIpc.port, pid: bareIpc.cpuPids()[0]!, stop: () => bareIpc.stop() });
    const bareHttp = await startMinimal({
      dir: join(dir, 'bare-http'),
      pki,
      keyType: 'ec-p256',
      pin: serverPin,
      upstream: `http://127.0.0.1:${upstream.port}`,
    });
    started.push({ port: bareHttp.port, pid: bareHttp.cpuPids()[0]!, stop: () => bareHttp.stop() });
    let nginx: { port: number; pids: number[]; stop(): Promise<void> } | undefined;
    if (existsSync(NGINX)) {
      const n = await startNginx(
        { dir: join(dir, 'nginx'), pki, keyType: 'ec-p256', upstreamPort: upstream.port, pin: serverPin },
        { cpuPids: () => [], stop: async () => undefined },
      );
      nginx = { port: n.port, pids: n.cpuPids(), stop: () => n.stop() };
    } else log(`nginx not installed (${NGINX}): its rows are left out`);
    try {
      for (const [name, body, expect] of [
        ['block_count', BLOCK_COUNT, '"count"'],
        ['account_info', ACCOUNT_INFO, '"frontier"'],
      ] as const) {
        log(`node mode ${name}: direct, ours and the bare Node front over HTTP and IPC${nginx ? ', nginx' : ''}, interleaved …`);
        const targets: FrontTarget[] = [
          {
            label: 'upstream direct (plain HTTP)',
            origin: `http://127.0.0.1:${upstream.port}`,
            tls: false,
            pids: [upstream.pid],
            behindPids: [],
            body,
            expect,
          },
          behindUpstream('ours → HTTP upstream', viaHttp.port, [viaHttp.pid], body, expect),
          behindUpstream('ours → IPC upstream', viaIpc.port, [viaIpc.pid], body, expect),
          behindUpstream(BARE_HTTP, bareHttp.port, bareHttp.cpuPids(), body, expect),
          behindUpstream(BARE_IPC, bareIpc.port, bareIpc.cpuPids(), body, expect),
          ...(nginx ? [behindUpstream('nginx → HTTP upstream', nginx.port, nginx.pids, body, expect)] : []),
        ];
        const results = await runFront(job(targets), loadPin);
        out.push(
          `### Node mode, keep-alive mutual-TLS \`${name}\`, ${settings.connections} connections`,
          '',
          '| path | req/s | p50 / p99 | front CPU/req | upstream CPU/req | nginx ÷ front CPU/req (target ≥ 1.0) |',
          '|---|---|---|---|---|---|',
          ...rows(results, nginx ? 'nginx → HTTP upstream' : 'none'),
          '',
          ...againstBare(results),
          '',
        );
        // Added latency is the front's own time, read where no queue hides it: one request at a time.
        log(`node mode ${name}: the same paths, one request at a time …`);
        const single = await runFront({ ...job(targets), connections: 1, durationMs: Math.max(2000, Math.round(settings.durationMs / 3)) }, loadPin);
        const direct = single[0]!;
        out.push(
          `Added latency, \`${name}\` one request at a time (1 connection, the paths taking turns as above):`,
          '',
          ...single
            .slice(1)
            .map(
              (r) =>
                `- ${r.label}: p50 ${f2(r.p50Ms)} ms, p99 ${f2(r.p99Ms)} ms; added p50 over the upstream directly ${f3(r.p50Ms - direct.p50Ms)} ms (target ≤ 0.15 ms)`,
            ),
          '',
        );
      }
      // Workers: the same IPC front as one process vs two (both on the servers' CPU when pinned).
      const twoWorkers = await startCliWith(
        join(dir, 'front-ipc-2w'),
        pki,
        `[backend]\nmode = "node"\n[[backend.upstream]]\nipc = "tcp://127.0.0.1:${ipcPort}"\nconnections = 8`,
        2,
        serverPin,
      );
      started.push(twoWorkers);
      log('node mode block_count: 1 worker vs 2 workers over IPC, interleaved …');
      const results = await runFront(
        job([
          behindUpstream('ours → IPC, 1 worker', viaIpc.port, [viaIpc.pid], BLOCK_COUNT, '"count"'),
          behindUpstream('ours → IPC, 2 workers', twoWorkers.port, twoWorkers.pids(), BLOCK_COUNT, '"count"'),
        ]),
        loadPin,
      );
      out.push(
        '### Node mode `block_count` over IPC: 1 worker vs 2 workers',
        '',
        `Both fronts ${serverPin !== undefined ? 'pinned to CPU 0 with the upstream (a second worker can only help where a second core is free)' : 'unpinned'}; 2-worker CPU includes the cluster primary, which accepts connections and hands them out.`,
        '',
        '| front | req/s | p50 / p99 | front CPU/req | upstream CPU/req | 1 ÷ 2 workers CPU/req |',
        '|---|---|---|---|---|---|',
        ...rows(results, 'ours → IPC, 1 worker'),
        '',
      );
    } finally {
      await nginx?.stop();
    }
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
  return out;
}
