import { defineAction, requireFields } from '../action.js';
import type { RpcResult } from '../encode.js';
import { RpcError, type RpcErrorCode } from '../errors.js';
import { LedgerWriteError, type ProcessCode, type ProcessInput, type ProcessResult } from '../../ledger/ledger.js';
import { flag, text } from '../params.js';
import { requestBlock, type BlockParams } from '../params-blocks.js';

interface ProcessParams extends BlockParams {
  readonly subtype?: unknown;
  readonly async?: unknown;
  readonly force?: unknown;
}

/** Ledger outcome → the node's answer (json_handler.cpp `process`); anything unlisted there is "Error processing block". */
const PROCESS_ERRORS: Readonly<Record<ProcessCode, RpcErrorCode>> = {
  work_low: 'block_work_low',
  invalid_subtype: 'invalid_block_subtype',
  invalid_subtype_balance: 'invalid_subtype_balance',
  invalid_subtype_previous: 'invalid_subtype_previous',
  invalid_subtype_epoch_link: 'invalid_subtype_epoch_link',
  old: 'process_old',
  bad_signature: 'process_bad_signature',
  fork: 'process_fork',
  gap_previous: 'process_gap_previous',
  gap_source: 'process_gap_source',
  gap_epoch_open_pending: 'process_gap_epoch_open_pending',
  negative_spend: 'process_negative_spend',
  balance_mismatch: 'process_balance_mismatch',
  unreceivable: 'process_unreceivable',
  opened_burn_account: 'process_opened_burn_account',
  block_position: 'process_block_position',
  insufficient_work: 'process_insufficient_work',
  representative_mismatch: 'process_other',
};

export const processAction = defineAction<ProcessParams>({
  params: requireFields('block'),
  // The node needs enable_control only for a forced block (rpc_handler.cpp).
  control: (params) => flag(params.force),
  handler: async (params, { ledger }): Promise<RpcResult> => {
    const isAsync = flag(params.async);
    const force = flag(params.force);
    const block = requestBlock(params);
    // An empty subtype is no subtype, as the node reads it.
    const subtypeText = text(params.subtype);
    const subtype = subtypeText === undefined || subtypeText === '' ? undefined : subtypeText;
    const input: ProcessInput = { ...(subtype !== undefined ? { subtype } : {}), force };

    if (isAsync) {
      // The node answers after its own checks, before the block processor has seen the block.
      const early = ledger.precheck(block, input);
      if (early !== undefined) throw new RpcError(PROCESS_ERRORS[early]);
      if (block.type !== 'state') throw new RpcError('must_be_state_block');
      // The outcome is not reported (as the node's process_local_async); the block lands or not.
      ledger.processAsync(block, { force }).catch(() => undefined);
      return { started: '1' };
    }

    let result: ProcessResult;
    try {
      result = await ledger.processAsync(block, input);
    } catch (error) {
      // The block's transaction was rolled back: nothing of it is in the ledger; the client may retry.
      if (error instanceof LedgerWriteError) throw new RpcError(error.noSpace ? 'ledger_full' : 'ledger_write_failed', { cause: error });
      throw error;
    }
    if (!result.ok) throw new RpcError(PROCESS_ERRORS[result.code]);
    return { hash: result.hash };
  },
});
