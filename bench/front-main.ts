/**
 * `npm run bench:front` (also `node dist/bench/front-main.js`): the front suites of `npm run bench`
 * alone (front-suites.ts): keep-alive mutual-TLS `block_count`, ours vs the bare node:https server
 * taking turns in short slots (`--slot-ms`, 400 by default), and node mode against nginx and the
 * bare Node front. Servers are pinned to CPU 0, the load generator to CPU 1 (taskset). Prints a
 * markdown table; `--write FILE` also writes it. `--quick` for a short run, `--only keepalive|node`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canPin, environmentLine } from './environment.js';
import { keepAliveInterleaved, nodeModeSuite, type FrontSettings } from './front-suites.js';
import { startMinimal } from './minimal.js';
import { startOurs } from './ours.js';
import { makeBenchPki } from './pki.js';
import { armWatchdog, killAllChildrenNow, stopAllChildren } from './procs.js';

interface Options {
  readonly quick: boolean;
  readonly pin: boolean;
  readonly slotMs: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly connections: number;
  readonly write: string | undefined;
  readonly only: 'all' | 'keepalive' | 'node';
}

function parse(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  return {
    quick,
    pin: !argv.includes('--no-pin'),
    slotMs: Number(value('--slot-ms') ?? 400),
    durationMs: Number(value('--duration-ms') ?? (quick ? 4000 : 12000)),
    warmupMs: quick ? 500 : 1500,
    connections: 16,
    write: value('--write'),
    only: (value('--only') as Options['only'] | undefined) ?? 'all',
  };
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  armWatchdog(20 * 60_000);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const pinned = options.pin && canPin();
  const dir = await mkdtemp(join(tmpdir(), 'nano-rpc-front-bench-'));
  const out: string[] = [
    `## Front benchmark (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${options.quick ? ', --quick' : ''})`,
    '',
    `Environment: ${environmentLine(pinned)}`,
    '',
  ];
  try {
    const pki = await makeBenchPki();
    const settings: FrontSettings = {
      slotMs: options.slotMs,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      connections: options.connections,
      client: { certPem: pki.client.certPem, keyPem: pki.client.keyPem, caPem: pki.ca.certPem },
      serverPin: pinned ? 0 : undefined,
      loadPin: pinned ? 1 : undefined,
      log,
    };
    if (options.only !== 'node') {
      const ours = await startOurs({ dir: join(dir, 'ours'), pki, keyType: 'ec-p256', tls: true, pin: settings.serverPin });
      const minimal = await startMinimal({ dir: join(dir, 'minimal'), pki, keyType: 'ec-p256', pin: settings.serverPin });
      try {
        out.push(...(await keepAliveInterleaved(settings, [minimal, ours])));
      } finally {
        await ours.stop();
        await minimal.stop();
      }
    }
    if (options.only !== 'keepalive') out.push(...(await nodeModeSuite(settings, join(dir, 'node'), pki)));
    const markdown = out.join('\n');
    log('');
    log(markdown);
    if (options.write) await writeFile(options.write, markdown);
  } finally {
    await stopAllChildren();
    await rm(dir, { recursive: true, force: true });
  }
}

process.on('exit', killAllChildrenNow);
main().catch(async (error: unknown) => {
  process.stderr.write(`front bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopAllChildren();
  process.exitCode = 1;
});
