import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedgerConsistency } from '../../src/ledger/consistency.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { tempDir } from '../support/temp.js';

// `send` with an id, killed (SIGKILL) at random moments: across all runs each id names one block,
// no id is sent twice, and no answered send is lost. The child runs the built code (dist/).

const CHILD = fileURLToPath(new URL('./send-crash-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/src/wallet/wallets.js', import.meta.url));
const KILLS = 12;
const COUNT = 150;
const MAX_DELAY_MS = 40;
const GENESIS_PUBLIC = Buffer.from('B0311EA55708D6A53C75CDBF88300259C6D018522FE3D4D0A242E431F9E8B6D0', 'hex');

interface Run {
  readonly answered: Map<number, string>;
  readonly done: boolean;
}

async function runChild(dataDir: string, destination: string, kill: boolean): Promise<Run> {
  const child = spawn(process.execPath, [CHILD, dataDir, String(COUNT), destination], { stdio: ['ignore', 'pipe', 'pipe'] });
  const answered = new Map<number, string>();
  let done = false;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let firstAnswer!: () => void;
  const answering = new Promise<void>((resolve) => (firstAnswer = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, id, hash] = line.split(' ');
    if (word === 'answered') {
      answered.set(Number(id), hash!);
      firstAnswer();
    }
    if (word === 'done') done = true;
  });
  if (kill) {
    await Promise.race([answering, exited]);
    await delay(randomInt(0, MAX_DELAY_MS + 1));
    child.kill('SIGKILL');
  }
  const { code, signal } = await exited;
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`child failed (${code}): ${stderr}`);
  return { answered, done };
}

const haveBuild = existsSync(BUILT);

describe.skipIf(!haveBuild)('wallet sends killed mid-way', () => {
  let dir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir?.remove();
  });

  it(`each id is one block through ${KILLS} SIGKILLs; nothing answered is lost`, async () => {
    const dataDir = join(dir.path, 'data');
    const destination = randomBytes(32).toString('hex').toUpperCase();
    const firstAnswers = new Map<number, string>();
    const record = (run: Run): void => {
      for (const [id, hash] of run.answered) {
        // The same id always answers the same block, in every run.
        expect(firstAnswers.get(id) ?? hash).toBe(hash);
        firstAnswers.set(id, hash);
      }
    };
    for (let i = 0; i < KILLS; i++) record(await runChild(dataDir, destination, true));
    const last = await runChild(dataDir, destination, false);
    expect(last.done).toBe(true);
    record(last);
    expect(firstAnswers.size).toBe(COUNT);

    const ledger = await openLedger({ path: dataDir });
    try {
      expect(checkLedgerConsistency(ledger).problems).toEqual([]);
      // Exactly one send per id on the genesis chain: none twice, none lost.
      expect(ledger.accountInfo(GENESIS_PUBLIC)?.blockCount).toBe(BigInt(COUNT + 1));
      for (const hash of firstAnswers.values()) expect(ledger.blockInfo(Buffer.from(hash, 'hex'))).toBeDefined();
      expect(new Set(firstAnswers.values()).size).toBe(COUNT);
    } finally {
      await ledger.close();
    }
  }, 180_000);
});
