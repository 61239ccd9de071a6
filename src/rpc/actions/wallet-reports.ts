import { encodeAccount } from '../../ledger/crypto/account.js';
import { defineAction, requireFields } from '../action.js';
import type { RpcResult, RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { decodeUnsigned, flag, text } from '../params.js';
import { walletCallSync, walletId } from '../params-wallet.js';

interface WalletHistoryParams {
  readonly wallet?: unknown;
  readonly modified_since?: unknown;
}

function timestamp(value: unknown, fallback: bigint): bigint {
  const raw = text(value);
  if (raw === undefined) return fallback;
  const parsed = decodeUnsigned(raw);
  if (parsed === undefined) throw new RpcError('invalid_timestamp');
  return parsed;
}

/**
 * The node's `wallet_history`: every send and receive of the wallet's accounts since
 * `modified_since` (default 1), newest first; opens count as receives; change and epoch blocks
 * are left out. `Invalid timestamp` is checked before the wallet.
 */
export const wallet_history = defineAction<WalletHistoryParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets, ledger }): RpcResult => {
    const since = timestamp(params.modified_since, 1n);
    const id = walletId(params.wallet);
    const entries: { time: bigint; value: Record<string, string> }[] = [];
    for (const entry of walletCallSync(() => wallets.accounts(id))) {
      const blockAccount = encodeAccount(entry.publicKey);
      for (const item of ledger.history(entry.publicKey, {})) {
        if (item.localTimestamp < since) continue;
        if (item.type !== 'send' && item.type !== 'receive' && item.type !== 'open') continue;
        entries.push({
          time: item.localTimestamp,
          value: {
            type: item.type === 'open' ? 'receive' : item.type,
            account: item.account,
            amount: String(item.amount),
            block_account: blockAccount,
            hash: item.hash,
            local_timestamp: String(item.localTimestamp),
          },
        });
      }
    }
    entries.sort((a, b) => (a.time === b.time ? 0 : a.time > b.time ? -1 : 1));
    return { history: entries.map((item) => item.value) };
  },
});

interface WalletLedgerParams {
  readonly wallet?: unknown;
  readonly representative?: unknown;
  readonly weight?: unknown;
  readonly receivable?: unknown;
  readonly pending?: unknown;
  readonly modified_since?: unknown;
}

/** The node's `wallet_ledger`: `ledger`'s account fields for the wallet's opened accounts. */
export const wallet_ledger = defineAction<WalletLedgerParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets, ledger }): RpcResult => {
    const id = walletId(params.wallet);
    const withRepresentative = flag(params.representative);
    const withWeight = flag(params.weight);
    const withReceivable = flag(params.receivable, flag(params.pending));
    // The node reads it with strtoul: junk is 0, never an error.
    const since = decodeUnsigned(text(params.modified_since) ?? '0') ?? 0n;
    const accounts: Record<string, RpcValue> = {};
    for (const entry of walletCallSync(() => wallets.accounts(id))) {
      const info = ledger.accountInfo(entry.publicKey);
      if (info === undefined || info.modifiedTimestamp < since) continue;
      const out: Record<string, string> = {
        frontier: info.frontier,
        open_block: info.openBlock,
        representative_block: info.representativeBlock,
        balance: String(info.balance),
        modified_timestamp: String(info.modifiedTimestamp),
        block_count: String(info.blockCount),
      };
      if (withRepresentative) out.representative = info.representative;
      if (withWeight) out.weight = String(ledger.weight(entry.publicKey));
      if (withReceivable) {
        const receivable = String(ledger.accountBalance(entry.publicKey).receivable);
        out.pending = receivable;
        out.receivable = receivable;
      }
      accounts[encodeAccount(entry.publicKey)] = out;
    }
    return { accounts };
  },
});
