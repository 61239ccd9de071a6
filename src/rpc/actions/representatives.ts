import { GENESIS_AMOUNT, DEV_GENESIS_ACCOUNT } from '../../ledger/genesis.js';
import { defineAction, requireFields } from '../action.js';
import type { RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { flag, optionalCount } from '../params.js';
import { AccountReader, optionalThreshold, perAccountAnswer } from '../params-accounts.js';

// Voting weight, representatives and delegators, and the supply (nano/node/json_handler.cpp).

type Params = Record<string, unknown>;
const withAccount = requireFields('account');

export const account_weight = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const key = reader.read(params.account);
    return { ...reader.answer(), weight: String(ledger.weight(key)) };
  },
});

export const account_representative = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const info = ledger.accountInfo(reader.read(params.account));
    if (info === undefined) throw new RpcError('account_not_found');
    return { ...reader.answer(), representative: info.representative };
  },
});

export const accounts_representatives = defineAction<Params>({
  params: requireFields('accounts'),
  control: false,
  handler: (params, { ledger }) =>
    perAccountAnswer(params.accounts, 'representatives', (key, sent) => {
      const info = ledger.accountInfo(key);
      return info && [sent, info.representative];
    }),
});

export const representatives = defineAction<Params>({
  params: { type: 'object' },
  control: false,
  handler: (params, { ledger }) => {
    const count = optionalCount(params.count);
    const sorting = flag(params.sorting);
    let reps = ledger.representatives();
    if (sorting) {
      // The node sorts (weight, account text) pairs ascending and reverses the list.
      reps = [...reps].sort((a, b) => (a.weight !== b.weight ? (a.weight > b.weight ? -1 : 1) : a.account === b.account ? 0 : a.account > b.account ? -1 : 1));
    }
    const out: Record<string, RpcValue> = {};
    let size = 0n;
    for (const rep of reps) {
      if (size >= count) break;
      out[rep.account] = String(rep.weight);
      size++;
    }
    return { representatives: out };
  },
});

export const delegators = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const representative = reader.read(params.account);
    const count = optionalCount(params.count, 1024n);
    const threshold = optionalThreshold(params.threshold);
    const after = params.start === undefined ? undefined : reader.read(params.start);
    const limit = count > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(count);
    const out: Record<string, RpcValue> = {};
    for (const entry of ledger.delegators(representative, { count: limit, threshold, after })) out[entry.account] = String(entry.weight);
    return { ...reader.answer(), delegators: out };
  },
});

export const delegators_count = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const representative = reader.read(params.account);
    return { ...reader.answer(), count: String(ledger.delegatorCount(representative)) };
  },
});

// Live-network accounts the node subtracts on every network (json_handler.cpp available_supply):
// on the dev network they are ordinary, normally empty accounts.
const LANDING_ACCOUNT = Buffer.from('059F68AAB29DE0D3A27443625C7EA9CDDB6517A8B76FE37727EF6A4D76832AD5', 'hex');
const FAUCET_ACCOUNT = Buffer.from('8E319CE6F3025E5B2DF66DA7AB1467FE48F1679C13DD43BFDB29FA2E9FC40D3B', 'hex');
const BURN_ACCOUNT = Buffer.alloc(32);

/**
 * The node's definition: genesis amount − balance of the genesis account − balances of the
 * landing and faucet accounts − everything sent to the burn account (zero key), which can
 * never be received and so stays receivable forever.
 */
export const available_supply = defineAction<Params>({
  params: { type: 'object' },
  control: false,
  handler: (_params, { ledger }) => {
    const balance = (key: Buffer): bigint => ledger.accountBalance(key).balance;
    const burned = ledger.accountBalance(BURN_ACCOUNT).receivable;
    const available = GENESIS_AMOUNT - balance(DEV_GENESIS_ACCOUNT) - balance(LANDING_ACCOUNT) - balance(FAUCET_ACCOUNT) - burned;
    return { available: String(available) };
  },
});
