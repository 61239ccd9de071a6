import { readFileSync } from 'node:fs';
import { parseBlockJson } from '../src/ledger/blocks/json.js';
import type { Block } from '../src/ledger/blocks/types.js';

/** One pre-built block: its hash (upper-case hex) and the node's JSON form, as nanocurrency made them. */
export interface BenchBlock {
  readonly hash: string;
  readonly json: Readonly<Record<string, string>>;
}

/**
 * For ledger ingest, signature verification and account reads: genesis sends to `accounts.length`
 * accounts, their opens, then rings of send (i → i+1) and receive. One chain of dependencies, in order.
 */
export interface IngestSet {
  readonly kind: 'ingest';
  /** nano_ addresses of every account the set opens. */
  readonly accounts: readonly string[];
  readonly blocks: readonly BenchBlock[];
}

/**
 * For `process` over the RPC: `setup` (genesis funds one account per chain, which opens) must land
 * first; then each chain (funder sends to a new account, that account opens, ...) only depends on
 * itself, so chains can run on separate connections at once.
 */
export interface ProcessSet {
  readonly kind: 'process';
  readonly setup: readonly BenchBlock[];
  readonly chains: ReadonlyArray<readonly BenchBlock[]>;
}

export type BlockSet = IngestSet | ProcessSet;

export function readBlockSet<K extends BlockSet['kind']>(file: string, kind: K): Extract<BlockSet, { kind: K }> {
  const set = JSON.parse(readFileSync(file, 'utf8')) as BlockSet;
  if (set.kind !== kind) throw new Error(`${file} holds a ${set.kind} set, not ${kind}`);
  return set as Extract<BlockSet, { kind: K }>;
}

/** The project's own parse of a pre-built block (done before any timing). */
export function toBlock(built: BenchBlock): Block {
  const parsed = parseBlockJson(built.json);
  if (!parsed.ok) throw new Error(`pre-built block ${built.hash} does not parse (${parsed.field})`);
  return parsed.block;
}

export function processBody(built: BenchBlock): string {
  return JSON.stringify({ action: 'process', json_block: 'true', block: built.json });
}
