import type { AccountEntry } from '../../ledger/ledger.js';
import { defineAction, noParams, type NoParams, requireFields } from '../action.js';
import type { RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { accountText, decodeUnsigned, flag, optionalCount, requiredCount, text } from '../params.js';
import { AccountReader, below, optionalThreshold, perAccountAnswer } from '../params-accounts.js';

// Account listings: frontiers, accounts_frontiers, account_count and the control action `ledger`
// (nano/node/json_handler.cpp).

type Params = Record<string, unknown>;

export const frontiers = defineAction<Params>({
  params: requireFields('account'),
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const start = reader.read(params.account);
    const count = requiredCount(params.count);
    const limit = count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
    const out: Record<string, RpcValue> = {};
    for (const entry of ledger.frontiers(start, limit)) out[entry.account] = entry.hash;
    return { ...reader.answer(), frontiers: out };
  },
});

export const accounts_frontiers = defineAction<Params>({
  params: requireFields('accounts'),
  control: false,
  handler: (params, { ledger }) =>
    // Frontiers are keyed by the account re-encoded (nano_), errors by the text as sent.
    perAccountAnswer(params.accounts, 'frontiers', (key) => {
      const info = ledger.accountInfo(key);
      return info && [accountText(key), info.frontier];
    }),
});

/** `account_count`, also answered under its alias `frontier_count`. */
export const account_count = defineAction<NoParams>({
  params: noParams,
  control: false,
  handler: (_params, { ledger }) => ({ count: String(ledger.counts().accounts) }),
});

interface LedgerFlags {
  readonly representative: boolean;
  readonly weight: boolean;
  readonly receivable: boolean;
  readonly threshold: bigint;
}

/** One `ledger` entry in the node's field order, or undefined when the threshold drops it. */
function ledgerEntry(entry: AccountEntry, flags: LedgerFlags, receivable: () => bigint): Record<string, RpcValue> | undefined {
  const { info } = entry;
  const out: Record<string, RpcValue> = {};
  if (flags.receivable) {
    const amount = receivable();
    if (info.balance + amount < flags.threshold) return undefined;
    out.pending = String(amount);
    out.receivable = String(amount);
  }
  out.frontier = info.frontier;
  out.open_block = info.openBlock;
  out.representative_block = info.representativeBlock;
  out.balance = String(info.balance);
  out.modified_timestamp = String(info.modifiedTimestamp);
  out.block_count = String(info.blockCount);
  if (flags.representative) out.representative = info.representative;
  return out;
}

export const ledger = defineAction<Params>({
  params: { type: 'object' },
  control: true,
  handler: (params, { ledger: store }) => {
    const count = optionalCount(params.count);
    const threshold = optionalThreshold(params.threshold);
    const reader = new AccountReader();
    const start = params.account === undefined ? Buffer.alloc(32) : reader.read(params.account);
    let modifiedSince = 0n;
    const since = text(params.modified_since);
    if (since !== undefined) {
      const parsed = decodeUnsigned(since);
      if (parsed === undefined) throw new RpcError('invalid_timestamp');
      modifiedSince = parsed;
    }
    const sorting = flag(params.sorting);
    const flags: LedgerFlags = {
      representative: flag(params.representative),
      weight: flag(params.weight),
      receivable: flag(params.receivable, flag(params.pending)),
      threshold,
    };

    let candidates: AccountEntry[] | Iterable<AccountEntry> = store.accounts(start);
    if (sorting) {
      // The node sorts (balance, account key) pairs ascending and reverses the list.
      const all = [...candidates].filter((entry) => entry.info.modifiedTimestamp >= modifiedSince);
      all.sort((a, b) => (a.info.balance !== b.info.balance ? (a.info.balance > b.info.balance ? -1 : 1) : Buffer.compare(b.publicKey, a.publicKey)));
      candidates = all;
    }
    const accounts: Record<string, RpcValue> = {};
    let size = 0;
    for (const entry of candidates) {
      if (!below(size, count)) break;
      if (entry.info.modifiedTimestamp < modifiedSince) continue;
      if (!flags.receivable && entry.info.balance < threshold) continue;
      const out = ledgerEntry(entry, flags, () => store.accountBalance(entry.publicKey).receivable);
      if (out === undefined) continue;
      if (flags.weight) out.weight = String(store.weight(entry.publicKey));
      accounts[entry.account] = out;
      size++;
    }
    return { ...reader.answer(), accounts };
  },
});
