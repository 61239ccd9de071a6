/**
 * Builds the ledger suites' blocks with the independent `nanocurrency` package (hash, signature,
 * work at the dev thresholds), through the tests' builder. Slow (≈ 5 ms a signature): run once,
 * in child processes, and cached (ledger-cache.ts).
 */
import { DEV_GENESIS_HASH, GENESIS, GENESIS_AMOUNT, newKey, state, ZERO, type Built, type Key } from '../test/ledger/builder.js';
import type { BenchBlock, IngestSet, ProcessSet } from './ledger-blocks.js';

const UNIT = 10n ** 30n;
const STEP = 10n ** 24n;

const keep = (built: Built): BenchBlock => ({ hash: built.hash, json: built.json });

interface Account {
  readonly key: Key;
  frontier: string;
  balance: bigint;
}

/** A state block moving the account to `balance` with `link`, representative genesis. */
async function next(account: Account, balance: bigint, link: string): Promise<BenchBlock> {
  const built = await state({ account: account.key, previous: account.frontier, representative: GENESIS.pub, balance, link });
  account.frontier = built.hash;
  account.balance = balance;
  return keep(built);
}

function fresh(key: Key = newKey()): Account {
  return { key, frontier: ZERO, balance: 0n };
}

/** Genesis sends UNIT to each of `accounts` new accounts, they open, then `rings` rounds of i → i+1 send + receive. */
export async function buildIngestSet(accounts: number, rings: number): Promise<IngestSet> {
  const genesis: Account = { key: GENESIS, frontier: DEV_GENESIS_HASH, balance: GENESIS_AMOUNT };
  const opened = Array.from({ length: accounts }, () => fresh());
  const blocks: BenchBlock[] = [];
  const funding: string[] = [];
  for (const account of opened) {
    const send = await next(genesis, genesis.balance - UNIT, account.key.pub);
    funding.push(send.hash);
    blocks.push(send);
  }
  for (const [i, account] of opened.entries()) blocks.push(await next(account, UNIT, funding[i]!));
  for (let ring = 0; ring < rings; ring++) {
    const sends: string[] = [];
    for (const [i, account] of opened.entries()) {
      const send = await next(account, account.balance - STEP, opened[(i + 1) % accounts]!.key.pub);
      sends.push(send.hash);
      blocks.push(send);
    }
    for (const [i, source] of sends.entries()) {
      const receiver = opened[(i + 1) % accounts]!;
      blocks.push(await next(receiver, receiver.balance + STEP, source));
    }
  }
  return { kind: 'ingest', accounts: opened.map((a) => a.key.address), blocks };
}

/** Setup: genesis funds one account per chain, which opens. Each chain: `pairs` × (funder sends to a new account, it opens). */
export async function buildProcessSet(chains: number, pairs: number): Promise<ProcessSet> {
  const genesis: Account = { key: GENESIS, frontier: DEV_GENESIS_HASH, balance: GENESIS_AMOUNT };
  const funders = Array.from({ length: chains }, () => fresh());
  const setup: BenchBlock[] = [];
  const funding: string[] = [];
  for (const funder of funders) {
    const send = await next(genesis, genesis.balance - UNIT, funder.key.pub);
    funding.push(send.hash);
    setup.push(send);
  }
  for (const [i, funder] of funders.entries()) setup.push(await next(funder, UNIT, funding[i]!));
  const built: BenchBlock[][] = [];
  for (const funder of funders) {
    const chain: BenchBlock[] = [];
    for (let j = 0; j < pairs; j++) {
      const payee = fresh();
      const send = await next(funder, funder.balance - STEP, payee.key.pub);
      chain.push(send, await next(payee, STEP, send.hash));
    }
    built.push(chain);
  }
  return { kind: 'process', setup, chains: built };
}
