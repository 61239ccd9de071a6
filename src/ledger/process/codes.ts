// Block processing outcomes. Ledger codes mirror nano-node `block_status`; the rest are the checks the
// node's RPC `process` makes before the ledger (entry work, subtype). The RPC layer maps each code to the
// node's error text; nothing here knows those texts.

export type LedgerRefusal =
  | 'old'
  | 'bad_signature'
  | 'fork'
  | 'gap_previous'
  | 'gap_source'
  | 'gap_epoch_open_pending'
  | 'negative_spend'
  | 'balance_mismatch'
  | 'unreceivable'
  | 'opened_burn_account'
  | 'block_position'
  | 'representative_mismatch'
  | 'insufficient_work';

export type PreLedgerRefusal =
  /** Below the network's entry threshold (RPC: "Block work is less than threshold"). */
  'work_low' | 'invalid_subtype' | 'invalid_subtype_balance' | 'invalid_subtype_previous' | 'invalid_subtype_epoch_link';

export type ProcessCode = LedgerRefusal | PreLedgerRefusal;

export type ProcessResult = { readonly ok: true; readonly hash: string } | { readonly ok: false; readonly code: ProcessCode };
