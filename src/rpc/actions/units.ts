import { defineAction, requireFields } from '../action.js';
import { RpcError } from '../errors.js';
import { amount } from '../params.js';

/** nano::Mxrb_ratio: 1 nano = 10^30 raw. */
const RAW_PER_NANO = 10n ** 30n;
const U128 = 1n << 128n;

/**
 * Reproduces the node's unchecked uint128 arithmetic on purpose: it multiplies modulo 2^128 and
 * answers "Amount too big" only when the product is not greater than the input. So "0" is
 * "Amount too big" (0 > 0 is false), and an overflowing amount either gets that error or, when the
 * wrapped product happens to exceed the input, a wrapped (wrong) number — exactly as the node does.
 */
export const nano_to_raw = defineAction<{ amount: unknown }>({
  params: requireFields('amount'),
  control: false,
  handler: (params) => {
    const nano = amount(params.amount);
    const raw = (nano * RAW_PER_NANO) % U128;
    if (!(raw > nano)) throw new RpcError('amount_too_big');
    return { amount: String(raw) };
  },
});

/** Integer division, as the node's: fractions of a nano are dropped. */
export const raw_to_nano = defineAction<{ amount: unknown }>({
  params: requireFields('amount'),
  control: false,
  handler: (params) => ({ amount: String(amount(params.amount) / RAW_PER_NANO) }),
});
