import { workRoot } from '../../ledger/blocks/root.js';
import { toHex } from '../../ledger/bytes.js';
import { DEV_WORK_THRESHOLDS, workMultiplier, workValue } from '../../ledger/crypto/work.js';
import { WorkCancelled } from '../../work/work-pool.js';
import { defineAction, noParams, requireFields } from '../action.js';
import type { RpcResult } from '../encode.js';
import { RpcError } from '../errors.js';
import { blockHash, flag, text } from '../params.js';
import { optionalHex64, optionalMultiplier, requestBlock } from '../params-blocks.js';
import { difficultyFromLedger } from '../work-difficulty.js';
import { fromMultiplier } from './work.js';

interface WorkGenerateParams {
  readonly hash?: unknown;
  readonly difficulty?: unknown;
  readonly multiplier?: unknown;
  readonly version?: unknown;
  readonly block?: unknown;
  readonly json_block?: unknown;
}

export function hex16(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

/**
 * The node's `work_generate` on the dev thresholds: the limit check (entry ≤ difficulty ≤
 * max_work_generate_multiplier × base) applies to a requested difficulty or multiplier; with a
 * `block` and neither, the difficulty is the ledger's for that block. The work runs on the work
 * pool's threads; `work_cancel` for the same hash answers this request with "Cancelled".
 */
export const work_generate = defineAction<WorkGenerateParams>({
  params: requireFields('hash'),
  control: true,
  handler: async (params, { ledger, work, settings }): Promise<RpcResult> => {
    const hash = blockHash(params.hash);
    const version = text(params.version);
    if (version !== undefined && version !== 'work_1') throw new RpcError('bad_work_version');
    let difficulty = optionalHex64(params.difficulty, 'bad_difficulty');
    const multiplier = optionalMultiplier(params.multiplier);
    if (multiplier !== undefined) difficulty = fromMultiplier(multiplier, DEV_WORK_THRESHOLDS.base);
    const maximum = fromMultiplier(settings.maxWorkGenerateMultiplier, DEV_WORK_THRESHOLDS.base);
    if (difficulty !== undefined && (difficulty > maximum || difficulty < DEV_WORK_THRESHOLDS.entry)) throw new RpcError('difficulty_limit');
    if (params.block !== undefined) {
      const block = requestBlock({ block: params.block, json_block: params.json_block });
      if (!workRoot(block).equals(hash)) throw new RpcError('root_mismatch');
      difficulty ??= difficultyFromLedger(ledger, block);
      if (workValue(block.work, hash) >= difficulty) throw new RpcError('work_already_enough');
    }
    difficulty ??= DEV_WORK_THRESHOLDS.base;
    let nonce: bigint;
    try {
      nonce = await work.generate(hash, difficulty);
    } catch (error) {
      if (error instanceof WorkCancelled) throw new RpcError('cancelled', { cause: error });
      throw error;
    }
    const value = workValue(nonce, hash);
    return { hash: toHex(hash), work: hex16(nonce), difficulty: hex16(value), multiplier: workMultiplier(value).toFixed(15) };
  },
});

export const work_cancel = defineAction<{ hash?: unknown }>({
  params: requireFields('hash'),
  control: true,
  handler: (params, { work }) => {
    work.cancel(blockHash(params.hash));
    return { success: '' };
  },
});

/** Constant on the dev network since V22 (no trend, no load): base and epoch_2_receive. */
export const active_difficulty = defineAction<{ include_trend?: unknown }>({
  params: noParams,
  control: false,
  handler: (params): RpcResult => ({
    deprecated: '1',
    network_minimum: hex16(DEV_WORK_THRESHOLDS.base),
    network_receive_minimum: hex16(DEV_WORK_THRESHOLDS.epoch2Receive),
    network_current: hex16(DEV_WORK_THRESHOLDS.base),
    network_receive_current: hex16(DEV_WORK_THRESHOLDS.epoch2Receive),
    multiplier: '1',
    ...(flag(params.include_trend) ? { difficulty_trend: ['1.000000000000000'] } : {}),
  }),
});
