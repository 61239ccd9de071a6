import { randomBytes } from 'node:crypto';
import { hashBlock } from './blocks/hash.js';
import type { StateBlock } from './blocks/types.js';
import { MAX_U128 } from './bytes.js';
import { derivePublicKey, sign, verify } from './crypto/ed25519.js';
import { DEV_WORK_THRESHOLDS, generateWork } from './crypto/work.js';
import { DEV_GENESIS_BLOCK } from './genesis.js';
import { openLedger } from './ledger.js';
import type { Ledger } from './ledger.js';
import { join } from 'node:path';

export interface IngestBenchResult {
  readonly blocks: number;
  /** Signature verifications per second on this thread (one core). */
  readonly verifyPerSecond: number;
  /** Blocks per second through `ledger.process` (checks, signature, work, one durable commit each). */
  readonly ingestPerSecond: number;
  /** Blocks per second through `ledger.processBatch` with `batchSize` blocks per commit. */
  readonly batchIngestPerSecond: number;
  readonly batchSize: number;
  readonly buildSeconds: number;
}

/**
 * Builds `pairs` genesis sends to fresh accounts and each account's state open, then times processing
 * them into a fresh ledger at `path` (which must not exist or be empty). The dev genesis key is public.
 */
export async function benchIngest(opts: {
  /** A fresh directory; two ledgers are created below it. */
  path: string;
  pairs?: number;
  batchSize?: number;
  genesisPrivateKey: Buffer;
}): Promise<IngestBenchResult> {
  const pairs = opts.pairs ?? 1000;
  const batchSize = opts.batchSize ?? 256;
  const genesisPub = derivePublicKey(opts.genesisPrivateKey);
  const buildStart = process.hrtime.bigint();
  const blocks: StateBlock[] = [];
  let previous = hashBlock(DEV_GENESIS_BLOCK);
  let balance = MAX_U128;
  for (let i = 0; i < pairs; i++) {
    const key = randomBytes(32);
    const pub = derivePublicKey(key);
    balance -= 1000n;
    const send = stateBlock(opts.genesisPrivateKey, genesisPub, previous, genesisPub, balance, pub);
    const open = stateBlock(key, pub, Buffer.alloc(32), pub, 1000n, hashBlock(send));
    blocks.push(send, open);
    previous = hashBlock(send);
  }
  const buildSeconds = Number(process.hrtime.bigint() - buildStart) / 1e9;

  const verifyStart = process.hrtime.bigint();
  for (const b of blocks) {
    if (!verify(b.signature, hashBlock(b), b.account)) throw new Error('bench block does not verify');
  }
  const verifyPerSecond = blocks.length / (Number(process.hrtime.bigint() - verifyStart) / 1e9);

  const ingestPerSecond = await timeIngest(join(opts.path, 'single'), blocks.length, (ledger) => {
    for (const b of blocks) {
      const result = ledger.process(b);
      if (!result.ok) throw new Error(`bench block refused: ${result.code}`);
    }
  });
  const batchIngestPerSecond = await timeIngest(join(opts.path, 'batch'), blocks.length, (ledger) => {
    for (let i = 0; i < blocks.length; i += batchSize) {
      const results = ledger.processBatch(blocks.slice(i, i + batchSize).map((block) => ({ block })));
      const refused = results.find((r) => !r.ok);
      if (refused !== undefined && !refused.ok) throw new Error(`bench block refused: ${refused.code}`);
    }
  });
  return { blocks: blocks.length, verifyPerSecond, ingestPerSecond, batchIngestPerSecond, batchSize, buildSeconds };
}

async function timeIngest(path: string, count: number, run: (ledger: Ledger) => void): Promise<number> {
  const ledger = await openLedger({ path });
  try {
    const start = process.hrtime.bigint();
    run(ledger);
    return count / (Number(process.hrtime.bigint() - start) / 1e9);
  } finally {
    await ledger.close();
  }
}

function stateBlock(
  key: Buffer,
  account: Buffer,
  previous: Buffer,
  representative: Buffer,
  balance: bigint,
  link: Buffer,
): StateBlock {
  const unsigned = { type: 'state', account, previous, representative, balance, link, signature: Buffer.alloc(64), work: 0n } as const;
  const hash = hashBlock(unsigned);
  const root = previous.every((b) => b === 0) ? account : previous;
  return { ...unsigned, signature: sign(key, hash), work: generateWork(root, DEV_WORK_THRESHOLDS.epoch1, BigInt(Math.floor(Math.random() * 2 ** 48))) };
}
