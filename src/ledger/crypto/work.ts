import { blake2b } from './blake2b.js';
import type { Epoch } from '../blocks/types.js';

/** Dev network work thresholds (nano/lib/config.cpp `publish_dev`). */
export const DEV_WORK_THRESHOLDS = {
  epoch1: 0xfe00000000000000n,
  epoch2: 0xffc0000000000000n,
  epoch2Receive: 0xf000000000000000n,
  /** max of the three: the default difficulty, used by `valid_all` and the multiplier. */
  base: 0xffc0000000000000n,
  /** min of the three: what a block must reach to be considered at all. */
  entry: 0xf000000000000000n,
} as const;

const workInput = Buffer.allocUnsafe(40);

/** blake2b-64(LE64(work) ‖ root) read little-endian. */
export function workValue(work: bigint, root: Uint8Array): bigint {
  if (root.length !== 32) throw new RangeError('work root must be 32 bytes');
  workInput.writeBigUInt64LE(work, 0);
  workInput.set(root, 8);
  return blake2b(8, workInput).readBigUInt64LE(0);
}

/**
 * The full threshold the ledger applies (`work_thresholds::threshold(details)`): epoch 2 blocks that
 * receive or upgrade need less, everything before epoch 2 (and every legacy block) needs epoch_1.
 */
export function workThreshold(epoch: Epoch, isReceive: boolean, isEpoch: boolean): bigint {
  if (epoch === 2) return isReceive || isEpoch ? DEV_WORK_THRESHOLDS.epoch2Receive : DEV_WORK_THRESHOLDS.epoch2;
  return DEV_WORK_THRESHOLDS.epoch1;
}

const TWO64 = 1n << 64n;

/** (2^64 − base) / (2^64 − difficulty), as `work_validate` reports it. */
export function workMultiplier(difficulty: bigint, base: bigint = DEV_WORK_THRESHOLDS.base): number {
  return Number(TWO64 - base) / Number(TWO64 - difficulty);
}

/**
 * CPU work search from a starting nonce (single thread). Fine on the dev network, where the highest
 * threshold needs about 1,000 attempts; never use it for live thresholds.
 */
export function generateWork(root: Uint8Array, threshold: bigint, start = 0n): bigint {
  for (let work = start; ; work = (work + 1n) & 0xffffffffffffffffn) {
    if (workValue(work, root) >= threshold) return work;
  }
}
