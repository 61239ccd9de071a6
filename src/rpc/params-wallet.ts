import { WalletError, type WalletErrorCode } from '../wallet/wallets.js';
import { WorkCancelled } from '../work/work-pool.js';
import { RpcError, type RpcErrorCode } from './errors.js';
import { decodeUnsigned, hex32, requiredText } from './params.js';

/** Wallet refusals → the node's texts (the codes are spelled alike on purpose). */
const WALLET_ERRORS: Readonly<Record<WalletErrorCode, RpcErrorCode>> = {
  wallet_not_found: 'wallet_not_found',
  wallet_locked: 'wallet_locked',
  account_not_found_in_wallet: 'account_not_found_in_wallet',
  account_not_found: 'account_not_found',
  insufficient_balance: 'insufficient_balance',
  invalid_work: 'invalid_work',
  error_generating_block: 'error_generating_block',
  block_not_found: 'block_not_found',
  unreceivable: 'process_unreceivable',
  invalid_index: 'invalid_index',
  source_not_found: 'source_not_found',
};

/** Runs a wallet operation, turning its refusals into the node's errors. */
export async function walletCall<T>(operation: () => T | Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw asRpcError(error);
  }
}

export function walletCallSync<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw asRpcError(error);
  }
}

function asRpcError(error: unknown): unknown {
  if (error instanceof WalletError) return new RpcError(WALLET_ERRORS[error.code], { cause: error });
  if (error instanceof WorkCancelled) return new RpcError('work_failure', { cause: error });
  return error;
}

/** A wallet id: 64 hex digits (shorter is left-padded, as decode_hex). */
export function walletId(value: unknown): Buffer {
  return hex32(requiredText(value), 'bad_wallet_number');
}

/** An account index: stoul, then a uint32 range check ("Invalid index"). */
export function accountIndex(value: unknown): number {
  const parsed = decodeUnsigned(requiredText(value));
  if (parsed === undefined || parsed > 0xffffffffn) throw new RpcError('invalid_index');
  return Number(parsed);
}
