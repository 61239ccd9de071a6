import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNodeEntry, stopChild } from './procs.js';

/** Sizes of the pre-built sets. Changing them (or the builder) needs a new VERSION so stale caches are ignored. */
export const INGEST_ACCOUNTS = 500;
export const INGEST_RINGS = 2;
export const PROCESS_CHAINS = 16;
export const PROCESS_PAIRS = 100;
const VERSION = 1;

export interface BlockFiles {
  /** INGEST_ACCOUNTS × (2 + 2·INGEST_RINGS) blocks. */
  readonly ingest: string;
  /** 2·PROCESS_CHAINS setup blocks + PROCESS_CHAINS chains of 2·PROCESS_PAIRS. */
  readonly process: string;
}

const BUILD_LIMIT_MS = 8 * 60_000;

/**
 * The block sets, cached across runs in the system temp folder (building signs every block with
 * nanocurrency, ≈ 20 s on two cores). Built by two children at once, before anything is timed.
 */
export async function ensureBlockFiles(log: (line: string) => void): Promise<BlockFiles> {
  const dir = join(tmpdir(), 'nano-rpc-bench-cache');
  await mkdir(dir, { recursive: true });
  const files: BlockFiles = {
    ingest: join(dir, `ingest-v${VERSION}-a${INGEST_ACCOUNTS}-r${INGEST_RINGS}.json`),
    process: join(dir, `process-v${VERSION}-c${PROCESS_CHAINS}-p${PROCESS_PAIRS}.json`),
  };
  const wanted: Array<[string, string, number, number]> = [
    ['ingest', files.ingest, INGEST_ACCOUNTS, INGEST_RINGS],
    ['process', files.process, PROCESS_CHAINS, PROCESS_PAIRS],
  ];
  const missing = wanted.filter(([, file]) => !existsSync(file));
  if (missing.length === 0) {
    log(`ledger blocks: cached in ${dir}`);
    return files;
  }
  const started = Date.now();
  log(`ledger blocks: building ${missing.map(([kind]) => kind).join(' + ')} with nanocurrency (once; cached in ${dir})`);
  const children = missing.map(([kind, file, n, m]) => spawnNodeEntry('ledger-build.js', [kind, file, String(n), String(m)], undefined));
  const timer = setTimeout(() => void Promise.all(children.map((c) => stopChild(c))), BUILD_LIMIT_MS);
  try {
    const codes = await Promise.all(children.map(async (child) => (child.exitCode ?? (await once(child, 'exit'))[0]) as number | null));
    if (codes.some((code) => code !== 0)) throw new Error(`building the ledger bench blocks failed (exit codes ${codes.join(', ')})`);
  } finally {
    clearTimeout(timer);
  }
  log(`ledger blocks: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return files;
}
