import { ABORT } from 'lmdb';
import { toHex } from '../bytes.js';
import { hashBlock } from '../blocks/hash.js';
import { workRoot } from '../blocks/root.js';
import type { Block } from '../blocks/types.js';
import { DEV_WORK_THRESHOLDS, workValue } from '../crypto/work.js';
import type { Store } from '../store/store.js';
import { storeView } from '../store/view.js';
import type { LedgerView } from '../store/view.js';
import { applyEffect } from './apply.js';
import type { ProcessCode, ProcessResult } from './codes.js';
import { changeRules, openRules, receiveRules, sendRules } from './rules-legacy.js';
import { stateRules } from './rules-state.js';
import type { RuleOutcome } from './rules-state.js';
import { checkSubtype } from './subtype.js';

export interface ProcessInput {
  /** The RPC `subtype` text; any value other than send/receive/open/change/epoch is refused. */
  readonly subtype?: string;
  /**
   * The RPC's `force`. The node forces a fork by rolling back the competitor, but never rolls back a
   * cemented block; here every block is cemented on apply, so a fork stays refused with `fork`.
   */
  readonly force?: boolean;
}

/** A block the ledger has applied and made durable, in the order blocks were applied. */
export interface AppliedBlock {
  /** 64 upper-case hex digits. */
  readonly hash: string;
  readonly block: Block;
}

export type AppliedListener = (applied: AppliedBlock) => void;

export interface BatchItem {
  readonly block: Block;
  readonly opts?: ProcessInput;
}

export interface Processor {
  /** One synchronous durable commit per block; blocks the thread during the disk sync (tests, tools). */
  process(block: Block, opts?: ProcessInput): ProcessResult;
  /**
   * The server's path: validation and writes run on this thread in arrival order, but calls made while
   * a commit is in flight share the next write transaction (group commit), committed and synced off the
   * main thread. Each block runs in its own child transaction, so a refusal (or a bug) in one leaves the
   * others of the batch untouched. Resolves once the block's commit is durable; a crash leaves each block
   * fully applied or not at all. Don't interleave with `process`/`processBatch` on the same ledger: a
   * synchronous transaction waiting for the write lock would block the thread the queued batch needs.
   */
  processAsync(block: Block, opts?: ProcessInput): Promise<ProcessResult>;
  /**
   * The checks the RPC `process` makes before handing a block to the ledger (subtype, entry work),
   * read-only against the current state; undefined when the block passes them. For `async` requests,
   * which must be answered before the block is processed.
   */
  precheck(block: Block, opts?: ProcessInput): ProcessCode | undefined;
  /**
   * Processes blocks in order in one LMDB transaction (one disk sync for the batch). Each block sees the
   * effects of the accepted blocks before it; refused blocks write nothing. The batch commits as a
   * whole, so after a crash the ledger holds all or none of it: always a state between two blocks.
   */
  processBatch(items: readonly BatchItem[]): ProcessResult[];
  /**
   * Calls `listener` once per applied block, after its commit is durable, in the order the blocks
   * were applied (a later block never before an earlier one). The seam for observers outside the
   * ledger (confirmation websocket, wallets' auto-receive). Answers a function that unsubscribes.
   */
  onApplied(listener: AppliedListener): () => void;
}

function rules(view: LedgerView, block: Block, hash: Buffer, now: bigint): RuleOutcome {
  switch (block.type) {
    case 'state':
      return stateRules(view, block, hash, now);
    case 'send':
      return sendRules(view, block, hash, now);
    case 'receive':
      return receiveRules(view, block, hash, now);
    case 'open':
      return openRules(view, block, hash, now);
    case 'change':
      return changeRules(view, block, hash, now);
  }
}

/** Entry threshold: state blocks need the lowest network threshold, legacy blocks epoch_1. */
function entryThreshold(block: Block): bigint {
  return block.type === 'state' ? DEV_WORK_THRESHOLDS.entry : DEV_WORK_THRESHOLDS.epoch1;
}

/**
 * A write the disk refused (full disk, I/O error): the block's transaction was rolled back, nothing of
 * it is in the ledger. `reason` is the storage engine's message, e.g. "No space left on device: …".
 */
export class LedgerWriteError extends Error {
  readonly code = 'write_failed';
  readonly noSpace: boolean;

  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`ledger write failed: ${reason}`, options);
    this.name = 'LedgerWriteError';
    this.noSpace = /no space left|ENOSPC|MDB_MAP_FULL/i.test(reason);
  }
}

/**
 * lmdb-js rejects a failed commit with "Commit failed" whose `commitError` is a second, rejected promise
 * holding the cause; nobody else awaits it, so unread it would be an unhandled rejection (the process
 * would exit). Read it here, once per failure.
 */
async function writeFailure(error: unknown): Promise<unknown> {
  const commitError = (error as { commitError?: unknown } | undefined)?.commitError;
  if (!(commitError instanceof Promise)) return error;
  const cause = await commitError.then(
    () => error,
    (reason: unknown) => reason,
  );
  return new LedgerWriteError(cause instanceof Error ? cause.message : String(cause), { cause });
}

export function createProcessor(store: Store, clock: () => bigint): Processor {
  const view = storeView(store);
  const listeners = new Set<AppliedListener>();
  // Applied blocks get a sequence number in apply order; they are announced in that order once
  // durable. A block whose transaction failed after it was applied is skipped, not waited for.
  let nextSequence = 0;
  let nextToAnnounce = 0;
  const ready = new Map<number, AppliedBlock | null>();

  function settle(sequence: number, applied: AppliedBlock | null): void {
    ready.set(sequence, applied);
    for (let entry = ready.get(nextToAnnounce); entry !== undefined; entry = ready.get(nextToAnnounce)) {
      ready.delete(nextToAnnounce++);
      if (entry === null) continue;
      for (const listener of listeners) {
        try {
          listener(entry);
        } catch {
          // An observer's failure is the observer's; the ledger has applied the block either way.
        }
      }
    }
  }

  /** Order as the node's RPC: subtype, then entry work. */
  function precheck(block: Block, opts: ProcessInput): ProcessCode | undefined {
    if (block.type === 'state' && opts.subtype !== undefined) {
      const refused = checkSubtype(view, block, opts.subtype);
      if (refused !== undefined) return refused;
    }
    if (workValue(block.work, workRoot(block)) < entryThreshold(block)) return 'work_low';
    return undefined;
  }

  /** Must run inside a write transaction. The prechecks, then the ledger rules. */
  function processInTxn(block: Block, opts: ProcessInput, now: bigint): ProcessResult {
    const early = precheck(block, opts);
    if (early !== undefined) return { ok: false, code: early };
    const hash = hashBlock(block);
    const outcome = rules(view, block, hash, now);
    if ('refused' in outcome) return { ok: false, code: outcome.refused };
    applyEffect(store, outcome);
    return { ok: true, hash: toHex(hash) };
  }

  return {
    process(block, opts = {}) {
      const now = clock();
      let result: ProcessResult | undefined;
      // The rules read exactly the state they are applied to; a refusal aborts, so it costs no commit.
      store.root.transactionSync(() => {
        result = processInTxn(block, opts, now);
        return result.ok ? undefined : ABORT;
      });
      if (result === undefined) throw new Error('transaction did not run');
      if (result.ok) settle(nextSequence++, { hash: result.hash, block });
      return result;
    },
    async processAsync(block, opts = {}) {
      const now = clock();
      let result: ProcessResult | undefined;
      let sequence = -1;
      // Queued behind earlier calls; lmdb-js runs every callback queued meanwhile in one write
      // transaction and commits it on its write thread.
      try {
        await store.root.childTransaction(() => {
          result = processInTxn(block, opts, now);
          if (!result.ok) return ABORT;
          sequence = nextSequence++;
          return undefined;
        });
        if (result === undefined) throw new Error('transaction did not run');
        // With overlappingSync (lmdb-js default off Windows) a commit is visible before it is synced.
        if (result.ok) await store.root.flushed;
      } catch (error) {
        if (sequence >= 0) settle(sequence, null);
        throw await writeFailure(error);
      }
      if (result.ok) settle(sequence, { hash: result.hash, block });
      return result;
    },
    precheck: (block, opts = {}) => precheck(block, opts),
    processBatch(items) {
      const now = clock();
      const results = store.root.transactionSync(() => items.map((item) => processInTxn(item.block, item.opts ?? {}, now)));
      results.forEach((result, index) => {
        if (result.ok) settle(nextSequence++, { hash: result.hash, block: items[index]!.block });
      });
      return results;
    },
    onApplied(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
