import type { Ledger, ReceivableEntry } from '../../ledger/ledger.js';
import { defineAction, requireFields } from '../action.js';
import type { RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { accountText, flag, list, optionalCount, optionalOffset } from '../params.js';
import { AccountReader, below, hashValue, optionalThreshold } from '../params-accounts.js';

// receivable / accounts_receivable / receivable_exists and their deprecated `pending` names
// (nano/node/json_handler.cpp). Every send here is cemented when applied, so the confirmation
// options (include_only_confirmed, include_active) are read but select the same entries.

type Params = Record<string, unknown>;

/** Largest amount first; Array.prototype.sort is stable, like the node's std::stable_sort. */
function byAmountDescending(a: ReceivableEntry, b: ReceivableEntry): number {
  return a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1;
}

function readConfirmationFlags(params: Params): void {
  flag(params.include_active);
  flag(params.include_only_confirmed, true);
}

function receivableAnswer(params: Params, prefix: Record<string, RpcValue>, ledger: Ledger) {
  const reader = new AccountReader();
  const key = reader.read(params.account);
  const count = optionalCount(params.count);
  const offset = optionalOffset(params.offset);
  const threshold = optionalThreshold(params.threshold);
  const source = flag(params.source);
  const minVersion = flag(params.min_version);
  readConfirmationFlags(params);
  const sorting = flag(params.sorting);
  const simple = threshold === 0n && !source && !minVersion && !sorting;
  const detailed = source || minVersion;

  const render = (entry: ReceivableEntry): RpcValue => {
    if (!detailed) return String(entry.amount);
    const out: Record<string, RpcValue> = { amount: String(entry.amount) };
    if (source) out.source = entry.source;
    if (minVersion) out.min_version = String(entry.epoch);
    return out;
  };

  const entries = ledger.receivable(key);
  let blocks: RpcValue;
  if (simple) {
    const hashes: string[] = [];
    let skip = offset;
    for (const entry of entries) {
      if (!below(hashes.length, count)) break;
      if (skip > 0n) skip--;
      else hashes.push(entry.hash);
    }
    blocks = hashes;
  } else if (sorting) {
    // The node collects every entry above the threshold, sorts, then applies offset and count.
    const kept = entries.filter((entry) => entry.amount >= threshold).sort(byAmountDescending);
    const out: Record<string, RpcValue> = {};
    for (let i = offset; i < BigInt(kept.length) && i < offset + count; i++) {
      const entry = kept[Number(i)]!;
      out[entry.hash] = render(entry);
    }
    blocks = out;
  } else {
    // The offset skips entries before the threshold is applied, as in the node.
    const out: Record<string, RpcValue> = {};
    let size = 0;
    let skip = offset;
    for (const entry of entries) {
      if (!below(size, count)) break;
      if (skip > 0n) {
        skip--;
        continue;
      }
      if (entry.amount >= threshold) {
        out[entry.hash] = render(entry);
        size++;
      }
    }
    blocks = out;
  }
  return { ...reader.answer(prefix), blocks };
}

const withAccount = requireFields('account');

export const receivable = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => receivableAnswer(params, {}, ledger),
});

export const pending = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => receivableAnswer(params, { deprecated: '1' }, ledger),
});

function accountsReceivableAnswer(params: Params, prefix: Record<string, RpcValue>, ledger: Ledger) {
  const count = optionalCount(params.count);
  const threshold = optionalThreshold(params.threshold);
  const source = flag(params.source);
  readConfirmationFlags(params);
  const sorting = flag(params.sorting);
  const simple = threshold === 0n && !source && !sorting;
  const reader = new AccountReader();
  const blocks: Record<string, RpcValue> = {};
  for (const element of list(params.accounts)) {
    const key = reader.read(element);
    if (simple) {
      const hashes: string[] = [];
      for (const entry of ledger.receivable(key)) {
        if (!below(hashes.length, count)) break;
        hashes.push(entry.hash);
      }
      if (hashes.length > 0) blocks[accountText(key)] = hashes;
      continue;
    }
    // The node stops at `count` kept entries and sorts only those.
    const kept: ReceivableEntry[] = [];
    for (const entry of ledger.receivable(key)) {
      if (!below(kept.length, count)) break;
      if (entry.amount >= threshold) kept.push(entry);
    }
    if (sorting) kept.sort(byAmountDescending);
    if (kept.length === 0) continue;
    const out: Record<string, RpcValue> = {};
    for (const entry of kept) out[entry.hash] = source ? { amount: String(entry.amount), source: entry.source } : String(entry.amount);
    blocks[accountText(key)] = out;
  }
  return { ...reader.answer(prefix), blocks };
}

const withAccounts = requireFields('accounts');

export const accounts_receivable = defineAction<Params>({
  params: withAccounts,
  control: false,
  handler: (params, { ledger }) => accountsReceivableAnswer(params, {}, ledger),
});

export const accounts_pending = defineAction<Params>({
  params: withAccounts,
  control: false,
  handler: (params, { ledger }) => accountsReceivableAnswer(params, { deprecated: '1' }, ledger),
});

function receivableExists(params: Params, prefix: Record<string, RpcValue>, ledger: Ledger) {
  const hash = hashValue(params.hash, 'invalid_block_hash');
  readConfirmationFlags(params);
  const info = ledger.blockInfo(hash);
  if (info === undefined) throw new RpcError('block_not_found');
  const { block } = info;
  let exists = false;
  if (info.kind === 'send') {
    const destination = block.type === 'state' ? block.link : block.type === 'send' ? block.destination : undefined;
    exists = destination !== undefined && ledger.pendingEntry(destination, hash) !== undefined;
  }
  return { ...prefix, exists: exists ? '1' : '0' };
}

const withHash = requireFields('hash');

export const receivable_exists = defineAction<Params>({
  params: withHash,
  control: false,
  handler: (params, { ledger }) => receivableExists(params, {}, ledger),
});

export const pending_exists = defineAction<Params>({
  params: withHash,
  control: false,
  handler: (params, { ledger }) => receivableExists(params, { deprecated: '1' }, ledger),
});
