import { ZERO32 } from '../bytes.js';
import { verify } from '../crypto/ed25519.js';
import { workThreshold, workValue } from '../crypto/work.js';
import { workRoot } from '../blocks/root.js';
import type { ChangeBlock, OpenBlock, ReceiveBlock, SendBlock } from '../blocks/types.js';
import type { LedgerView, StoredBlock } from '../store/view.js';
import type { AccountInfo } from '../store/records.js';
import type { LedgerRefusal } from './codes.js';
import type { RuleOutcome } from './rules-state.js';

// nano-node `ledger_processor::{send,receive,open,change}_block`. Legacy blocks always count as epoch 0
// and need the epoch_1 work threshold; they can only follow legacy blocks.

const refuse = (code: LedgerRefusal): RuleOutcome => ({ refused: code });
const LEGACY_THRESHOLD = workThreshold(0, false, false);

type Chained = SendBlock | ReceiveBlock | ChangeBlock;

/** Shared prefix of send/receive/change: old, gap_previous, block_position; returns the account. */
function chainStart(
  view: LedgerView,
  block: Chained,
  hash: Buffer,
): { refused: LedgerRefusal } | { previous: StoredBlock; account: Buffer; info: AccountInfo } {
  if (view.blockExists(hash)) return { refused: 'old' };
  const previous = view.block(block.previous);
  if (previous === undefined) return { refused: 'gap_previous' };
  if (previous.block.type === 'state') return { refused: 'block_position' };
  const account = previous.sideband.account;
  const info = view.account(account);
  if (info === undefined) throw new Error('ledger inconsistency: block without account');
  return { previous, account, info };
}

function legacyInfo(info: AccountInfo, hash: Buffer, balance: bigint, now: bigint, repChange?: Buffer): AccountInfo {
  return {
    head: hash,
    openBlock: info.openBlock,
    representativeBlock: repChange !== undefined ? hash : info.representativeBlock,
    representative: repChange ?? info.representative,
    balance,
    blockCount: info.blockCount + 1n,
    epoch: 0,
    modified: now,
  };
}

export function sendRules(view: LedgerView, block: SendBlock, hash: Buffer, now: bigint): RuleOutcome {
  const start = chainStart(view, block, hash);
  if ('refused' in start) return start;
  const { account, info } = start;
  if (!verify(block.signature, hash, account)) return refuse('bad_signature');
  if (workValue(block.work, workRoot(block)) < LEGACY_THRESHOLD) return refuse('insufficient_work');
  if (!info.head.equals(block.previous)) return refuse('fork');
  if (info.balance < block.balance) return refuse('negative_spend');
  const amount = info.balance - block.balance;
  return {
    hash,
    block,
    account,
    previousInfo: info,
    sideband: {
      account,
      height: info.blockCount + 1n,
      balance: block.balance,
      successor: ZERO32,
      timestamp: now,
      epoch: 0,
      subtype: 'send',
      sourceEpoch: 0,
      amount,
      linkedAccount: block.destination,
    },
    info: legacyInfo(info, hash, block.balance, now),
    weightDeltas: [[info.representative, -amount]],
    pendingPut: { destination: block.destination, entry: { source: account, amount, epoch: 0 } },
  };
}

export function receiveRules(view: LedgerView, block: ReceiveBlock, hash: Buffer, now: bigint): RuleOutcome {
  const start = chainStart(view, block, hash);
  if ('refused' in start) return start;
  const { account, info } = start;
  if (!verify(block.signature, hash, account)) return refuse('bad_signature');
  if (workValue(block.work, workRoot(block)) < LEGACY_THRESHOLD) return refuse('insufficient_work');
  if (!view.blockExists(block.source)) return refuse('gap_source');
  // The previous exists (checked above), so a head mismatch is a signed fork.
  if (!info.head.equals(block.previous)) return refuse('fork');
  const pending = view.pending(account, block.source);
  if (pending === undefined) return refuse('unreceivable');
  // A legacy receive cannot take a send made after an epoch upgrade.
  if (pending.epoch !== 0) return refuse('unreceivable');
  const balance = info.balance + pending.amount;
  return {
    hash,
    block,
    account,
    previousInfo: info,
    sideband: {
      account,
      height: info.blockCount + 1n,
      balance,
      successor: ZERO32,
      timestamp: now,
      epoch: 0,
      subtype: 'receive',
      sourceEpoch: 0,
      amount: pending.amount,
      linkedAccount: pending.source,
    },
    info: legacyInfo(info, hash, balance, now),
    weightDeltas: [[info.representative, pending.amount]],
    pendingDelete: { destination: account, sendHash: block.source },
  };
}

export function changeRules(view: LedgerView, block: ChangeBlock, hash: Buffer, now: bigint): RuleOutcome {
  const start = chainStart(view, block, hash);
  if ('refused' in start) return start;
  const { account, info } = start;
  if (!info.head.equals(block.previous)) return refuse('fork');
  if (!verify(block.signature, hash, account)) return refuse('bad_signature');
  if (workValue(block.work, workRoot(block)) < LEGACY_THRESHOLD) return refuse('insufficient_work');
  return {
    hash,
    block,
    account,
    previousInfo: info,
    sideband: {
      account,
      height: info.blockCount + 1n,
      balance: info.balance,
      successor: ZERO32,
      timestamp: now,
      epoch: 0,
      subtype: 'change',
      sourceEpoch: 0,
      amount: 0n,
      linkedAccount: ZERO32,
    },
    info: legacyInfo(info, hash, info.balance, now, block.representative),
    weightDeltas: [
      [info.representative, -info.balance],
      [block.representative, info.balance],
    ],
  };
}

export function openRules(view: LedgerView, block: OpenBlock, hash: Buffer, now: bigint): RuleOutcome {
  if (view.blockExists(hash)) return refuse('old');
  if (!verify(block.signature, hash, block.account)) return refuse('bad_signature');
  if (workValue(block.work, workRoot(block)) < LEGACY_THRESHOLD) return refuse('insufficient_work');
  if (!view.blockExists(block.source)) return refuse('gap_source');
  if (view.account(block.account) !== undefined) return refuse('fork');
  const pending = view.pending(block.account, block.source);
  if (pending === undefined) return refuse('unreceivable');
  if (block.account.equals(ZERO32)) return refuse('opened_burn_account');
  if (pending.epoch !== 0) return refuse('unreceivable');
  return {
    hash,
    block,
    account: block.account,
    previousInfo: undefined,
    sideband: {
      account: block.account,
      height: 1n,
      balance: pending.amount,
      successor: ZERO32,
      timestamp: now,
      epoch: 0,
      subtype: 'open',
      sourceEpoch: 0,
      amount: pending.amount,
      linkedAccount: pending.source,
    },
    info: {
      head: hash,
      openBlock: hash,
      representativeBlock: hash,
      representative: block.representative,
      balance: pending.amount,
      blockCount: 1n,
      epoch: 0,
      modified: now,
    },
    weightDeltas: [[block.representative, pending.amount]],
    pendingDelete: { destination: block.account, sendHash: block.source },
  };
}
