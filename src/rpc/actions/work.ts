import { defineAction, requireFields } from '../action.js';
import { RpcError } from '../errors.js';
import { DEV_WORK_THRESHOLDS, workMultiplier, workValue } from '../../ledger/crypto/work.js';
import { blockHash, text } from '../params.js';
import { optionalHex64, optionalMultiplier } from '../params-blocks.js';

const TWO64 = 1n << 64n;
const MAX_U64 = TWO64 - 1n;

/** nano::difficulty::from_multiplier: the difficulty `multiplier` times harder than `base`. */
export function fromMultiplier(multiplier: number, base: bigint): bigint {
  const quotient = Number((TWO64 - base) & MAX_U64) / multiplier;
  // A multiplier under ~1e-289 overflows the double (the node's cast of it is undefined behaviour).
  if (!Number.isFinite(quotient)) throw new RpcError('bad_multiplier');
  const reverse = BigInt(Math.trunc(quotient));
  if (reverse > MAX_U64) return 0n;
  if (reverse !== 0n || base === 0n || multiplier < 1) return (TWO64 - reverse) & MAX_U64;
  return MAX_U64;
}

interface WorkValidateParams {
  readonly hash?: unknown;
  readonly work?: unknown;
  readonly difficulty?: unknown;
  readonly multiplier?: unknown;
  readonly version?: unknown;
}

/**
 * Dev thresholds: `valid_all` against the base (epoch_2 send) difficulty, `valid_receive` against
 * epoch_2_receive; `valid` only when the request names a `difficulty` (V21 semantics), which a
 * `multiplier` overrides.
 */
export const work_validate = defineAction<WorkValidateParams>({
  params: requireFields('hash'),
  control: false,
  handler: (params) => {
    const root = blockHash(params.hash);
    const work = optionalHex64(params.work, 'bad_work') ?? 0n;
    const version = text(params.version);
    if (version !== undefined && version !== 'work_1') throw new RpcError('bad_work_version');
    let difficulty = optionalHex64(params.difficulty, 'bad_difficulty') ?? DEV_WORK_THRESHOLDS.base;
    const multiplier = optionalMultiplier(params.multiplier);
    if (multiplier !== undefined) difficulty = fromMultiplier(multiplier, DEV_WORK_THRESHOLDS.base);

    const value = workValue(work, root);
    return {
      ...(params.difficulty !== undefined ? { valid: value >= difficulty ? '1' : '0' } : {}),
      valid_all: value >= DEV_WORK_THRESHOLDS.base ? '1' : '0',
      valid_receive: value >= DEV_WORK_THRESHOLDS.epoch2Receive ? '1' : '0',
      difficulty: value.toString(16).padStart(16, '0'),
      multiplier: workMultiplier(value).toFixed(15),
    };
  },
});
