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
import type { ProcessResult } from './codes.js';
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

export interface BatchItem {
  readonly block: Block;
  readonly opts?: ProcessInput;
}

export interface Processor {
  process(block: Block, opts?: ProcessInput): ProcessResult;
  /**
   * Processes blocks in order in one LMDB transaction (one disk sync for the batch). Each block sees the
   * effects of the accepted blocks before it; refused blocks write nothing. The batch commits as a
   * whole, so after a crash the ledger holds all or none of it: always a state between two blocks.
   */
  processBatch(items: readonly BatchItem[]): ProcessResult[];
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

export function createProcessor(store: Store, clock: () => bigint): Processor {
  const view = storeView(store);

  /** Must run inside a write transaction. Order as the node's RPC: subtype, entry work, then ledger. */
  function processInTxn(block: Block, opts: ProcessInput, now: bigint): ProcessResult {
    if (block.type === 'state' && opts.subtype !== undefined) {
      const refused = checkSubtype(view, block, opts.subtype);
      if (refused !== undefined) return { ok: false, code: refused };
    }
    if (workValue(block.work, workRoot(block)) < entryThreshold(block)) return { ok: false, code: 'work_low' };
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
      return result;
    },
    processBatch(items) {
      const now = clock();
      return store.root.transactionSync(() => items.map((item) => processInTxn(item.block, item.opts ?? {}, now)));
    },
  };
}
