import { isZero, ZERO32 } from '../bytes.js';
import { verify } from '../crypto/ed25519.js';
import { workThreshold, workValue } from '../crypto/work.js';
import { workRoot } from '../blocks/root.js';
import type { Epoch, StateBlock } from '../blocks/types.js';
import type { LedgerView } from '../store/view.js';
import type { LedgerRefusal } from './codes.js';
import type { Effect } from './effect.js';
import { epochOfLink, epochSigner } from './epochs.js';

export type RuleOutcome = Effect | { readonly refused: LedgerRefusal };

const refuse = (code: LedgerRefusal): RuleOutcome => ({ refused: code });

/**
 * nano-node `ledger_processor::state_block`: a block whose link is an epoch link and whose balance
 * equals the previous balance is an epoch block; otherwise (e.g. a send to the epoch-link "account")
 * it is an ordinary state block.
 */
export function stateRules(view: LedgerView, block: StateBlock, hash: Buffer, now: bigint): RuleOutcome {
  const epoch = epochOfLink(block.link);
  if (epoch !== undefined) {
    let previousBalance = 0n;
    if (!isZero(block.previous)) {
      const previous = view.block(block.previous);
      if (previous === undefined) {
        const signedByAccount = verify(block.signature, hash, block.account);
        const signedByEpochSigner = verify(block.signature, hash, epochSigner(epoch));
        return refuse(signedByAccount || signedByEpochSigner ? 'gap_previous' : 'bad_signature');
      }
      previousBalance = previous.sideband.balance;
    }
    if (block.balance === previousBalance) return epochRules(view, block, hash, epoch, now);
  }
  return ordinaryStateRules(view, block, hash, now);
}

function ordinaryStateRules(view: LedgerView, block: StateBlock, hash: Buffer, now: bigint): RuleOutcome {
  if (view.blockExists(hash)) return refuse('old');
  if (!verify(block.signature, hash, block.account)) return refuse('bad_signature');
  if (isZero(block.account)) return refuse('opened_burn_account');

  const info = view.account(block.account);
  let epoch: Epoch = 0;
  let sourceEpoch: Epoch = 0;
  let isSend = false;
  let isReceive = false;
  let amount = block.balance;
  if (info !== undefined) {
    epoch = info.epoch;
    if (isZero(block.previous)) return refuse('fork');
    if (!view.blockExists(block.previous)) return refuse('gap_previous');
    isSend = block.balance < info.balance;
    isReceive = !isSend && !isZero(block.link);
    amount = isSend ? info.balance - block.balance : block.balance - info.balance;
    if (!block.previous.equals(info.head)) return refuse('fork');
  } else {
    if (!isZero(block.previous)) return refuse('gap_previous');
    isReceive = true;
    if (isZero(block.link)) return refuse('gap_source');
  }

  let linkedAccount = ZERO32;
  if (!isSend) {
    if (!isZero(block.link)) {
      if (!view.blockExists(block.link)) return refuse('gap_source');
      const pending = view.pending(block.account, block.link);
      if (pending === undefined) return refuse('unreceivable');
      if (amount !== pending.amount) return refuse('balance_mismatch');
      sourceEpoch = pending.epoch;
      epoch = epoch > sourceEpoch ? epoch : sourceEpoch;
      linkedAccount = pending.source;
    } else if (amount !== 0n) {
      return refuse('balance_mismatch');
    }
  } else {
    linkedAccount = block.link;
  }

  if (workValue(block.work, workRoot(block)) < workThreshold(epoch, isReceive, false)) return refuse('insufficient_work');

  const height = (info?.blockCount ?? 0n) + 1n;
  const weightDeltas: (readonly [Buffer, bigint])[] = [];
  if (info !== undefined) weightDeltas.push([info.representative, -info.balance]);
  weightDeltas.push([block.representative, block.balance]);
  return {
    hash,
    block,
    account: block.account,
    previousInfo: info,
    sideband: {
      account: block.account,
      height,
      balance: block.balance,
      successor: ZERO32,
      timestamp: now,
      epoch,
      subtype: isSend ? 'send' : isReceive ? 'receive' : 'change',
      sourceEpoch,
      amount: isSend || isReceive ? amount : 0n,
      linkedAccount,
    },
    info: {
      head: hash,
      openBlock: info?.openBlock ?? hash,
      representativeBlock: hash,
      representative: block.representative,
      balance: block.balance,
      blockCount: height,
      epoch,
      modified: now,
    },
    weightDeltas,
    ...(isSend ? { pendingPut: { destination: block.link, entry: { source: block.account, amount, epoch } } } : {}),
    ...(!isSend && !isZero(block.link) ? { pendingDelete: { destination: block.account, sendHash: block.link } } : {}),
  };
}

/** nano-node `ledger_processor::epoch_block_impl`. */
function epochRules(view: LedgerView, block: StateBlock, hash: Buffer, epoch: Epoch, now: bigint): RuleOutcome {
  if (view.blockExists(hash)) return refuse('old');
  if (!verify(block.signature, hash, epochSigner(epoch))) return refuse('bad_signature');
  if (isZero(block.account)) return refuse('opened_burn_account');
  const info = view.account(block.account);
  if (info !== undefined) {
    if (isZero(block.previous)) return refuse('fork');
    if (!block.previous.equals(info.head)) return refuse('fork');
    if (!block.representative.equals(info.representative)) return refuse('representative_mismatch');
  } else {
    if (!isZero(block.representative)) return refuse('representative_mismatch');
    if (!view.hasReceivable(block.account)) return refuse('gap_epoch_open_pending');
  }
  // Upgrades are sequential, except that an unopened account may be opened at any epoch.
  if (info !== undefined && epoch !== info.epoch + 1) return refuse('block_position');
  if (block.balance !== (info?.balance ?? 0n)) return refuse('balance_mismatch');
  if (workValue(block.work, workRoot(block)) < workThreshold(epoch, false, true)) return refuse('insufficient_work');

  const height = (info?.blockCount ?? 0n) + 1n;
  return {
    hash,
    block,
    account: block.account,
    previousInfo: info,
    sideband: {
      account: block.account,
      height,
      balance: block.balance,
      successor: ZERO32,
      timestamp: now,
      epoch,
      subtype: 'epoch',
      sourceEpoch: 0,
      amount: 0n,
      linkedAccount: ZERO32,
    },
    info: {
      head: hash,
      openBlock: info?.openBlock ?? hash,
      representativeBlock: hash,
      representative: block.representative,
      balance: block.balance,
      blockCount: height,
      epoch,
      modified: now,
    },
    weightDeltas: [],
  };
}
