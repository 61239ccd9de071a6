import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedgerConsistency } from '../../src/ledger/consistency.js';
import { openLedger } from '../../src/ledger/ledger.js';
import { u128ToBytes } from '../../src/ledger/bytes.js';
import { encodePending, pendingKey } from '../../src/ledger/store/records.js';
import { openStore, writeMeta } from '../../src/ledger/store/store.js';
import type { Store } from '../../src/ledger/store/store.js';
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, ZERO, legacyChange, legacyOpen, legacyReceive, legacySend, newKey, state } from './builder.js';
import type { Built, Key } from './builder.js';
import { tempDir } from '../support/temp.js';

// A ledger killed (SIGKILL) at random moments while it applies blocks must reopen consistent, with
// every block either fully there or absent, and never lose what it had committed. The child runs
// the built ledger (dist/, made by `npm test` before vitest), since plain node cannot load .ts files.

const CHILD = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/src/ledger/ledger.js', import.meta.url));
const KILLS = 30;
const BLOCKS = 400;
const MAX_DELAY_MS = 30;

interface Account {
  readonly key: Key;
  head: string;
  balance: bigint;
  rep: string;
}

/** A valid history: legacy blocks first (genesis is a legacy open), then state sends, opens, receives, changes. */
async function buildWorkload(): Promise<Built[]> {
  const out: Built[] = [];
  const genesis: Account = { key: GENESIS, head: DEV_GENESIS_HASH, balance: GENESIS_AMOUNT, rep: GENESIS.pub };
  const keys = Array.from({ length: 12 }, newKey);
  const opened = new Map<string, Account>([[GENESIS.pub, genesis]]);
  const pending: { hash: string; to: Key; amount: bigint }[] = [];
  const push = (built: Built, account: Account, balance: bigint): void => {
    out.push(built);
    account.head = built.hash;
    account.balance = balance;
  };

  const legacyKey = keys[0]!;
  const first = await legacySend(GENESIS, genesis.head, legacyKey.pub, genesis.balance - 1000n);
  push(first, genesis, genesis.balance - 1000n);
  const second = await legacySend(GENESIS, genesis.head, legacyKey.pub, genesis.balance - 500n);
  push(second, genesis, genesis.balance - 500n);
  const legacyAccount: Account = { key: legacyKey, head: ZERO, balance: 0n, rep: GENESIS.pub };
  push(await legacyOpen(legacyKey, first.hash, GENESIS.pub), legacyAccount, 1000n);
  opened.set(legacyKey.pub, legacyAccount);
  push(await legacyReceive(legacyKey, legacyAccount.head, second.hash), legacyAccount, 1500n);
  legacyAccount.rep = keys[1]!.pub;
  push(await legacyChange(legacyKey, legacyAccount.head, legacyAccount.rep), legacyAccount, 1500n);

  const send = async (from: Account, to: Key, amount: bigint): Promise<void> => {
    const built = await state({ account: from.key, previous: from.head, representative: from.rep, balance: from.balance - amount, link: to.pub });
    push(built, from, from.balance - amount);
    pending.push({ hash: built.hash, to, amount });
  };

  for (let step = 0; out.length < BLOCKS; step++) {
    const senders = [...opened.values()].filter((a) => a.balance > 1n);
    switch (step % 4) {
      case 0:
        await send(genesis, keys[randomInt(keys.length)]!, BigInt(randomInt(1, 1_000_000)) * 10n ** 24n);
        break;
      case 1: {
        const from = senders[randomInt(senders.length)]!;
        const to = randomInt(4) === 0 ? GENESIS : keys[randomInt(keys.length)]!;
        await send(from, to, 1n + BigInt(randomInt(1_000_000)) * (from.balance / 2_000_000n));
        break;
      }
      case 2: {
        // Some sends stay receivable for a while: receive the oldest only half of the time.
        if (pending.length === 0 || randomInt(3) === 0) break;
        const { hash, to, amount } = pending.shift()!;
        let account = opened.get(to.pub);
        if (account === undefined) {
          account = { key: to, head: ZERO, balance: 0n, rep: keys[randomInt(keys.length)]!.pub };
          opened.set(to.pub, account);
        }
        const built = await state({ account: to, previous: account.head, representative: account.rep, balance: account.balance + amount, link: hash });
        push(built, account, account.balance + amount);
        break;
      }
      case 3: {
        const account = [...opened.values()][randomInt(opened.size)]!;
        account.rep = keys[randomInt(keys.length)]!.pub;
        push(
          await state({ account: account.key, previous: account.head, representative: account.rep, balance: account.balance, link: ZERO }),
          account,
          account.balance,
        );
        break;
      }
    }
  }
  return out;
}

interface Run {
  readonly started: number;
  /** Blocks the child reported committed before it died. */
  readonly reported: number;
  readonly killed: boolean;
  readonly output: string[];
}

/** Starts the child, waits for its first progress line, then kills it after a random 0–30 ms (or lets it finish). */
async function runChild(ledgerDir: string, blocksFile: string, kill: boolean, shared = false): Promise<Run> {
  const child = spawn(process.execPath, [CHILD, ledgerDir, blocksFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CRASH_TOLERATE_OLD: shared ? '1' : '0' },
  });
  const output: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let reportProgress!: () => void;
  const progress = new Promise<void>((resolve) => (reportProgress = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    output.push(line);
    if (line.startsWith('applied') || line === 'done') reportProgress();
  });
  if (kill) {
    await Promise.race([progress, exited]);
    // The point of the test: a bounded random moment inside the child's write loop.
    await delay(randomInt(0, MAX_DELAY_MS + 1));
    child.kill('SIGKILL');
  }
  const { code, signal } = await exited;
  if (signal !== 'SIGKILL' && code !== 0) throw new Error(`child failed (${code}): ${output.join(' | ')} ${stderr}`);
  const started = Number(output.find((l) => l.startsWith('start '))?.slice(6) ?? Number.NaN);
  const applied = output.filter((l) => l.startsWith('applied ')).map((l) => Number(l.slice(8)));
  return { started, reported: applied.at(-1) ?? started, killed: signal === 'SIGKILL', output };
}

const haveBuild = existsSync(BUILT);
if (!haveBuild) console.warn(`crash test skipped: ${BUILT} is missing; run \`npm run build\` (npm test does)`);

describe.skipIf(!haveBuild)('a ledger killed while applying blocks', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let blocks: Built[];
  let blocksFile: string;
  let ledgerDir: string;

  beforeAll(async () => {
    dir = await tempDir();
    ledgerDir = join(dir.path, 'ledger');
    blocks = await buildWorkload();
    blocksFile = join(dir.path, 'blocks.json');
    await writeFile(blocksFile, JSON.stringify(blocks.map((b) => ({ hash: b.hash, json: b.json }))));
  }, 120_000);

  afterAll(async () => {
    await dir?.remove();
  });

  /** Reopens the store the child left, checks every invariant, and returns how many blocks of the workload it holds. */
  async function inspect(): Promise<number> {
    const ledger = await openLedger({ path: ledgerDir });
    try {
      const report = checkLedgerConsistency(ledger);
      expect(report.problems).toEqual([]);
      // Applied in order, so the survivors must be exactly a prefix of the workload, each block whole.
      const present = blocks.map((b) => ledger.blockInfo(Buffer.from(b.hash, 'hex')) !== undefined);
      const prefix = present.indexOf(false) === -1 ? blocks.length : present.indexOf(false);
      expect(present.slice(prefix).every((p) => !p)).toBe(true);
      for (const b of blocks.slice(0, prefix)) expect(report.hashes.has(b.hash)).toBe(true);
      expect(report.blocks).toBe(BigInt(prefix + 1));
      return prefix;
    } finally {
      await ledger.close();
    }
  }

  it(`stays consistent through ${KILLS} SIGKILLs and loses nothing it committed`, async () => {
    let previous = 0;
    let midWrite = 0;
    let ledgers = 1;
    const perRun: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const run = await runChild(ledgerDir, blocksFile, true);
      const held = await inspect();
      // Never fewer blocks than before, and at least every block the child reported committed.
      expect(held).toBeGreaterThanOrEqual(previous);
      expect(held).toBeGreaterThanOrEqual(run.reported);
      if (run.killed && held < blocks.length) midWrite++;
      perRun.push(held - previous);
      previous = held;
      if (held === blocks.length && i < KILLS - 1) {
        // A fast machine got through the workload: keep killing writes, on a fresh ledger.
        ledgerDir = join(dir.path, `ledger-${++ledgers}`);
        previous = 0;
      }
    }
    // The run must have exercised crashes during writes, not only after the work was done.
    expect(midWrite).toBeGreaterThan(KILLS / 2);
    console.info(`crash test: ${KILLS} kills, ${midWrite} mid-write, ${ledgers} ledger(s), blocks gained per run ${perRun.join(',')}`);

    const last = await runChild(ledgerDir, blocksFile, false);
    expect(last.output.at(-1)).toBe('done');
    expect(await inspect()).toBe(blocks.length);
  }, 180_000);

  it('stays consistent with two processes applying to one ledger (as [workers] count = 2 shares it), both killed at random', async () => {
    ledgerDir = join(dir.path, 'ledger-shared');
    let previous = 0;
    let rounds = 0;
    for (; rounds < 12; rounds++) {
      const [a, b] = await Promise.all([runChild(ledgerDir, blocksFile, true, true), runChild(ledgerDir, blocksFile, true, true)]);
      const held = await inspect();
      expect(held).toBeGreaterThanOrEqual(Math.max(previous, a.reported, b.reported));
      previous = held;
      if (held === blocks.length) break;
    }
    const [a, b] = await Promise.all([runChild(ledgerDir, blocksFile, false, true), runChild(ledgerDir, blocksFile, false, true)]);
    expect(a.output.at(-1)).toBe('done');
    expect(b.output.at(-1)).toBe('done');
    expect(await inspect()).toBe(blocks.length);
  }, 180_000);
});

// The checker is what the crash test relies on, so it must itself be shown to fail on a broken store.
describe('checkLedgerConsistency', () => {
  const hex = (text: string): Buffer => Buffer.from(text, 'hex');
  let a: Key;
  let b: Key;
  let sendA: Built;
  let openA: Built;
  let sendB: Built;

  beforeAll(async () => {
    a = newKey();
    b = newKey();
    sendA = await state({ account: GENESIS, previous: DEV_GENESIS_HASH, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 100n, link: a.pub });
    openA = await state({ account: a, previous: ZERO, representative: b.pub, balance: 100n, link: sendA.hash });
    sendB = await state({ account: GENESIS, previous: sendA.hash, representative: GENESIS.pub, balance: GENESIS_AMOUNT - 150n, link: b.pub });
  });

  /** A ledger with genesis → A (received) and genesis → B (receivable), tampered with through the raw store. */
  async function problemsAfter(tamper: (store: Store) => void): Promise<readonly string[]> {
    const dir = await tempDir();
    try {
      const ledger = await openLedger({ path: dir.path });
      expect(ledger.processBatch([sendA, openA, sendB].map((x) => ({ block: x.block }))).every((r) => r.ok)).toBe(true);
      await ledger.close();
      const store = openStore(dir.path);
      store.root.transactionSync(() => tamper(store));
      await store.root.close();
      const reopened = await openLedger({ path: dir.path });
      try {
        return checkLedgerConsistency(reopened).problems;
      } finally {
        await reopened.close();
      }
    } finally {
      await dir.remove();
    }
  }

  it('finds nothing wrong with an untouched ledger', async () => {
    expect(await problemsAfter(() => undefined)).toEqual([]);
  });

  it('finds a wrong block counter', async () => {
    expect(await problemsAfter((s) => writeMeta(s, 'blocks', 5n))).toEqual(['block counter 5, chains hold 4']);
  });

  it('finds a lost receivable entry and the supply it takes with it', async () => {
    const problems = await problemsAfter((s) => s.pending.removeSync(pendingKey(hex(b.pub), hex(sendB.hash))));
    expect(problems).toContainEqual(expect.stringContaining(`send ${sendB.hash}`));
    expect(problems).toContainEqual(expect.stringContaining('supply'));
  });

  it('finds a receivable entry for a send already received', async () => {
    const entry = encodePending({ source: hex(GENESIS.pub), amount: 100n, epoch: 0 });
    const problems = await problemsAfter((s) => s.pending.putSync(pendingKey(hex(a.pub), hex(sendA.hash)), entry));
    expect(problems).toContainEqual(expect.stringContaining('already received'));
  });

  it('finds a missing block in a chain', async () => {
    const problems = await problemsAfter((s) => s.blocks.removeSync(hex(sendA.hash)));
    expect(problems).toContainEqual(expect.stringContaining('chain'));
  });

  it('finds a representative weight that does not match the balances delegated', async () => {
    const problems = await problemsAfter((s) => s.weights.putSync(hex(b.pub), u128ToBytes(99n)));
    expect(problems).toEqual([expect.stringContaining('stored 99, delegated balances 100')]);
  });
});
