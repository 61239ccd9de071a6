import { blockToJson } from '../ledger/blocks/json.js';
import { encodeAccount } from '../ledger/crypto/account.js';
import type { AppliedBlock, BlockInfoResult } from '../ledger/ledger.js';

/**
 * The node's `message_builder::block_confirmed` for one applied block. Every block is confirmed by
 * this single node the moment it is applied, so `confirmation_type` is always `active_quorum` and
 * the election info describes that instant: duration 0, one block, one voter, the whole supply.
 */
export interface ConfirmedBlock {
  readonly account: string;
  readonly amount: string;
  readonly hash: string;
  /** `nano_` form of a state block's link; undefined for legacy blocks (they never pass an account filter). */
  readonly linkAsAccount: string | undefined;
  readonly block: Record<string, string>;
  readonly time: string;
  readonly electionInfo: Record<string, string>;
}

export function confirmedBlock(applied: AppliedBlock, info: BlockInfoResult | undefined, tally: bigint, now: number): ConfirmedBlock {
  const json: Record<string, string> = { ...blockToJson(applied.block) };
  if (info?.subtype !== undefined) json.subtype = info.subtype;
  return {
    account: info?.account ?? '',
    amount: String(info?.amount ?? 0n),
    hash: applied.hash,
    linkAsAccount: applied.block.type === 'state' ? encodeAccount(applied.block.link) : undefined,
    block: json,
    time: String(now),
    electionInfo: { duration: '0', time: String(now), tally: String(tally), final: String(tally), blocks: '1', voters: '1', request_count: '0' },
  };
}

/** The message text for one combination of options; callers cache it per confirmed block. */
export function confirmationText(confirmed: ConfirmedBlock, includeBlock: boolean, includeElectionInfo: boolean): string {
  const message: Record<string, unknown> = { account: confirmed.account, amount: confirmed.amount, hash: confirmed.hash, confirmation_type: 'active_quorum' };
  if (includeElectionInfo) message.election_info = confirmed.electionInfo;
  if (includeBlock) message.block = confirmed.block;
  return JSON.stringify({ topic: 'confirmation', time: confirmed.time, message });
}
