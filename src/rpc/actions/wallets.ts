import { encodeAccount } from '../../ledger/crypto/account.js';
import { derivePublicKey } from '../../ledger/crypto/ed25519.js';
import { toHex } from '../../ledger/bytes.js';
import { defineAction, noParams, requireFields } from '../action.js';
import type { RpcResult, RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { account, amount, countAsNumber, flag, hex32, list, optionalCount, requiredCount, requiredText, text } from '../params.js';
import { accountIndex, walletCall, walletCallSync, walletId } from '../params-wallet.js';
import { deterministicKey } from '../../wallet/secrets.js';

// The node's wallet actions (json_handler.cpp), answered from src/wallet. Control gating is the
// node's list (action-table.ts NODE_CONTROL_ACTIONS); `control` here says the same per action.

interface WalletParams {
  readonly wallet?: unknown;
}

export const wallet_create = defineAction<{ seed?: unknown }>({
  params: { type: 'object' },
  control: true,
  handler: async (params, { wallets }): Promise<RpcResult> => {
    const seed = params.seed === undefined ? undefined : hex32(requiredText(params.seed), 'bad_seed');
    const created = await wallets.create(seed);
    if (created.restored === undefined) return { wallet: toHex(created.id) };
    return {
      wallet: toHex(created.id),
      last_restored_account: created.restored.last ? encodeAccount(created.restored.last) : '',
      restored_count: String(created.restored.count),
    };
  },
});

export const wallet_add = defineAction<WalletParams & { key?: unknown }>({
  params: requireFields('wallet', 'key'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const key = hex32(requiredText(params.key), 'bad_private_key');
    return { account: encodeAccount(await walletCall(() => wallets.addKey(id, key))) };
  },
});

export const wallet_add_watch = defineAction<WalletParams & { accounts?: unknown }>({
  params: requireFields('wallet', 'accounts'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const keys = list(params.accounts).map((item) => account(item).publicKey);
    await walletCall(() => wallets.addWatch(id, keys));
    return { success: '' };
  },
});

export const wallet_contains = defineAction<WalletParams & { account?: unknown }>({
  params: requireFields('wallet', 'account'),
  control: false,
  handler: (params, { wallets }) => {
    const publicKey = account(params.account).publicKey;
    const id = walletId(params.wallet);
    return { exists: walletCallSync(() => wallets.contains(id, publicKey)) ? '1' : '0' };
  },
});

export const wallet_destroy = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    await walletCall(() => wallets.destroy(id));
    return { destroyed: '1' };
  },
});

export const account_create = defineAction<WalletParams & { index?: unknown }>({
  params: requireFields('wallet'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const index = params.index === undefined ? undefined : accountIndex(params.index);
    return { account: encodeAccount(await walletCall(() => wallets.createAccount(id, index))) };
  },
});

/** A locked wallet: the node loops for ever without answering; we answer "Wallet is locked". */
export const accounts_create = defineAction<WalletParams & { count?: unknown }>({
  params: requireFields('wallet', 'count'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const count = requiredCount(params.count);
    if (count > 10_000n) throw new RpcError('invalid_count');
    const created = await walletCall(() => wallets.createAccounts(id, Number(count)));
    return { accounts: created.map((key) => encodeAccount(key)) };
  },
});

export const account_list = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets }) => {
    const id = walletId(params.wallet);
    return { accounts: walletCallSync(() => wallets.accounts(id)).map((entry) => encodeAccount(entry.publicKey)) };
  },
});

export const account_remove = defineAction<WalletParams & { account?: unknown }>({
  params: requireFields('wallet', 'account'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const publicKey = account(params.account).publicKey;
    await walletCall(() => wallets.remove(id, publicKey));
    return { removed: '1' };
  },
});

export const account_move = defineAction<WalletParams & { source?: unknown; accounts?: unknown }>({
  params: requireFields('wallet', 'source', 'accounts'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    walletCallSync(() => wallets.check(id));
    const source = hex32(requiredText(params.source), 'bad_source');
    const keys = list(params.accounts).map((item) => account(item).publicKey);
    return { moved: (await walletCall(() => wallets.move(id, source, keys))) ? '1' : '0' };
  },
});

export const wallet_balances = defineAction<WalletParams & { threshold?: unknown }>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets, ledger }) => {
    const id = walletId(params.wallet);
    const threshold = params.threshold === undefined ? 0n : amount(params.threshold, 'bad_threshold_number');
    const balances: Record<string, RpcValue> = {};
    for (const entry of walletCallSync(() => wallets.accounts(id))) {
      const { balance, receivable } = ledger.accountBalance(entry.publicKey);
      if (balance < threshold) continue;
      balances[encodeAccount(entry.publicKey)] = { balance: String(balance), pending: String(receivable), receivable: String(receivable) };
    }
    return { balances };
  },
});

export const wallet_info = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets, ledger }) => {
    const id = walletId(params.wallet);
    let balance = 0n;
    let receivable = 0n;
    let blocks = 0n;
    let deterministic = 0;
    let adhoc = 0;
    const entries = walletCallSync(() => wallets.accounts(id));
    for (const entry of entries) {
      const amounts = ledger.accountBalance(entry.publicKey);
      balance += amounts.balance;
      receivable += amounts.receivable;
      blocks += ledger.accountInfo(entry.publicKey)?.blockCount ?? 0n;
      if (entry.kind === 'deterministic') deterministic++;
      else if (entry.kind === 'adhoc') adhoc++;
    }
    return {
      balance: String(balance),
      pending: String(receivable),
      receivable: String(receivable),
      accounts_count: String(entries.length),
      accounts_block_count: String(blocks),
      // Every block is cemented on arrival.
      accounts_cemented_block_count: String(blocks),
      deterministic_count: String(deterministic),
      adhoc_count: String(adhoc),
      deterministic_index: String(wallets.deterministicIndex(id)),
    };
  },
});

export const wallet_frontiers = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets, ledger }) => {
    const id = walletId(params.wallet);
    const frontiers: Record<string, string> = {};
    for (const entry of walletCallSync(() => wallets.accounts(id))) {
      const info = ledger.accountInfo(entry.publicKey);
      if (info !== undefined) frontiers[encodeAccount(entry.publicKey)] = info.frontier;
    }
    return { frontiers };
  },
});

interface WalletReceivableParams extends WalletParams {
  readonly count?: unknown;
  readonly threshold?: unknown;
  readonly source?: unknown;
  readonly min_version?: unknown;
}

function walletReceivable(deprecated: boolean) {
  return defineAction<WalletReceivableParams>({
    params: requireFields('wallet'),
    control: false,
    handler: (params, { wallets, ledger }): RpcResult => {
      const id = walletId(params.wallet);
      const count = countAsNumber(optionalCount(params.count));
      const threshold = params.threshold === undefined ? undefined : amount(params.threshold, 'bad_threshold_number');
      const withSource = text(params.source) === 'true' || text(params.source) === '1';
      const withVersion = text(params.min_version) === 'true' || text(params.min_version) === '1';
      const blocks: Record<string, RpcValue> = {};
      for (const entry of walletCallSync(() => wallets.accounts(id))) {
        const found = ledger.receivable(entry.publicKey, { count, ...(threshold !== undefined ? { threshold } : {}) });
        if (found.length === 0) continue;
        const name = encodeAccount(entry.publicKey);
        if (threshold === undefined && !withSource && !withVersion) {
          blocks[name] = found.map((item) => item.hash);
        } else if (!withSource && !withVersion) {
          blocks[name] = Object.fromEntries(found.map((item) => [item.hash, String(item.amount)]));
        } else {
          blocks[name] = Object.fromEntries(
            found.map((item) => [
              item.hash,
              { amount: String(item.amount), ...(withSource ? { source: item.source } : {}), ...(withVersion ? { min_version: String(item.epoch) } : {}) },
            ]),
          );
        }
      }
      return deprecated ? { deprecated: '1', blocks } : { blocks };
    },
  });
}

export const wallet_receivable = walletReceivable(false);
export const wallet_pending = walletReceivable(true);

export const wallet_representative = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets }) => {
    const id = walletId(params.wallet);
    return { representative: encodeAccount(walletCallSync(() => wallets.representative(id))) };
  },
});

/** With `update_existing_accounts`, change blocks for the wallet's opened accounts are queued, not awaited (as the node). */
export const wallet_representative_set = defineAction<WalletParams & { representative?: unknown; update_existing_accounts?: unknown }>({
  params: requireFields('wallet', 'representative'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const representative = account(params.representative, 'bad_representative_number').publicKey;
    await walletCall(() => wallets.setRepresentative(id, representative, flag(params.update_existing_accounts)));
    return { set: '1' };
  },
});

/** The stored rows as JSON text (secrets stay sealed, as the node's export of its table). */
export const wallet_export = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets }) => {
    const id = walletId(params.wallet);
    return {
      json: JSON.stringify(
        walletCallSync(() => wallets.exportRows(id)),
        null,
        4,
      ),
    };
  },
});

export const wallet_change_seed = defineAction<WalletParams & { seed?: unknown; count?: unknown }>({
  params: requireFields('wallet', 'seed'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const seed = hex32(requiredText(params.seed), 'bad_seed');
    const count = countAsNumber(params.count === undefined ? 0n : optionalCount(params.count));
    if (count > 10_000) throw new RpcError('invalid_count');
    const restored = await walletCall(() => wallets.changeSeed(id, seed, count));
    return { success: '', last_restored_account: restored.last ? encodeAccount(restored.last) : '', restored_count: String(restored.count) };
  },
});

export const wallet_lock = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: true,
  handler: (params, { wallets }) => {
    const id = walletId(params.wallet);
    walletCallSync(() => wallets.lock(id));
    return { locked: '1' };
  },
});

export const wallet_locked = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets }) => {
    const id = walletId(params.wallet);
    return { locked: walletCallSync(() => wallets.isLocked(id)) ? '1' : '0' };
  },
});

export const password_enter = defineAction<WalletParams & { password?: unknown }>({
  params: requireFields('wallet', 'password'),
  control: false,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const password = requiredText(params.password);
    return { valid: (await walletCall(() => wallets.enterPassword(id, password))) ? '1' : '0' };
  },
});

export const password_change = defineAction<WalletParams & { password?: unknown }>({
  params: requireFields('wallet', 'password'),
  control: true,
  handler: async (params, { wallets }) => {
    const id = walletId(params.wallet);
    const password = requiredText(params.password);
    await walletCall(() => wallets.changePassword(id, password));
    return { changed: '1' };
  },
});

export const password_valid = defineAction<WalletParams>({
  params: requireFields('wallet'),
  control: false,
  handler: (params, { wallets }) => {
    const id = walletId(params.wallet);
    return { valid: walletCallSync(() => wallets.isLocked(id)) ? '0' : '1' };
  },
});

export const receive_minimum = defineAction({
  params: noParams,
  control: true,
  handler: (_params, { wallets }) => ({ amount: String(wallets.receiveMinimum) }),
});

/** Kept in memory only, as the node does. */
export const receive_minimum_set = defineAction<{ amount?: unknown }>({
  params: requireFields('amount'),
  control: true,
  handler: (params, { wallets }) => {
    wallets.receiveMinimum = amount(params.amount);
    return { success: '' };
  },
});

function searchReceivable(deprecated: boolean) {
  return defineAction<WalletParams>({
    params: requireFields('wallet'),
    control: true,
    handler: (params, { wallets }): RpcResult => {
      const id = walletId(params.wallet);
      const started = walletCallSync(() => wallets.searchReceivable(id)) ? 'true' : 'false';
      return deprecated ? { deprecated: '1', started } : { started };
    },
  });
}

export const search_receivable = searchReceivable(false);
export const search_pending = searchReceivable(true);

export const search_receivable_all = defineAction({
  params: noParams,
  control: true,
  handler: (_params, { wallets }) => {
    wallets.searchReceivableAll();
    return { success: '' };
  },
});

export const deterministic_key = defineAction<{ seed?: unknown; index?: unknown }>({
  params: requireFields('seed', 'index'),
  control: false,
  handler: (params) => {
    const seed = hex32(requiredText(params.seed), 'bad_seed');
    const index = accountIndex(params.index);
    const privateKey = deterministicKey(seed, index);
    const publicKey = derivePublicKey(privateKey);
    return { private: toHex(privateKey), public: toHex(publicKey), account: encodeAccount(publicKey) };
  },
});
