import { isZero, toHex, ZERO32 } from '../../ledger/bytes.js';
import { DEV_EPOCH_SIGNER as EPOCH_SIGNER } from '../../ledger/genesis.js';
import type { AccountInfoResult, BalanceResult, Block, BlockInfoResult, Ledger } from '../../ledger/ledger.js';
import { defineAction, requireFields } from '../action.js';
import { linkedAccountOf } from '../block-view.js';
import type { RpcResult, RpcValue } from '../encode.js';
import { RpcError } from '../errors.js';
import { accountText, flag, hex32, optionalOffset, requiredCount, requiredText } from '../params.js';
import { AccountReader, hashValue, perAccountAnswer } from '../params-accounts.js';

// Single-account reads and accounts_balances (nano/node/json_handler.cpp). Every block here is
// cemented when applied, so "confirmed" views equal the plain ones and include_only_confirmed
// changes nothing.

type Params = Record<string, unknown>;
const withAccount = requireFields('account');

export const account_balance = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const key = reader.read(params.account);
    flag(params.include_only_confirmed, true);
    const result = ledger.accountBalance(key);
    // The ledger returns the same object while balance and receivable are unchanged: answer built once.
    const known = reader.deprecated ? undefined : plainAccountBalance.get(result);
    if (known !== undefined) return known;
    const { balance, receivable } = result;
    const answer = { ...reader.answer(), balance: String(balance), pending: String(receivable), receivable: String(receivable) };
    if (!reader.deprecated) plainAccountBalance.set(result, Object.freeze(answer));
    return answer;
  },
});

const plainAccountBalance = new WeakMap<BalanceResult, RpcResult>();

export const accounts_balances = defineAction<Params>({
  params: requireFields('accounts'),
  control: false,
  handler: (params, { ledger }) => {
    flag(params.include_only_confirmed, true);
    return perAccountAnswer(params.accounts, 'balances', (key, sent) => {
      const { balance, receivable } = ledger.accountBalance(key);
      return [sent, { balance: String(balance), pending: String(receivable), receivable: String(receivable) }];
    });
  },
});

export const account_info = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const key = reader.read(params.account);
    const representative = flag(params.representative);
    const weight = flag(params.weight);
    const receivable = flag(params.receivable, flag(params.pending));
    const includeConfirmed = flag(params.include_confirmed);
    const info = ledger.accountInfo(key);
    if (info === undefined) throw new RpcError('account_not_found');
    const plain = !representative && !weight && !receivable && !includeConfirmed && !reader.deprecated;
    // The ledger returns the same object while the account is unchanged: its plain answer is built once.
    const known = plain ? plainAccountInfo.get(info) : undefined;
    if (known !== undefined) return known;

    const answer = reader.answer();
    answer.frontier = info.frontier;
    answer.open_block = info.openBlock;
    answer.representative_block = info.representativeBlock;
    answer.balance = String(info.balance);
    if (includeConfirmed) answer.confirmed_balance = String(info.balance);
    answer.modified_timestamp = String(info.modifiedTimestamp);
    answer.block_count = String(info.blockCount);
    answer.account_version = String(info.accountVersion);
    if (includeConfirmed) {
      answer.confirmed_height = String(info.confirmationHeight);
      answer.confirmed_frontier = info.confirmationHeightFrontier;
    } else {
      answer.confirmation_height = String(info.confirmationHeight);
      answer.confirmation_height_frontier = info.confirmationHeightFrontier;
    }
    if (representative) {
      answer.representative = info.representative;
      if (includeConfirmed) answer.confirmed_representative = info.representative;
    }
    if (weight) answer.weight = String(ledger.weight(key));
    if (receivable) {
      const amount = String(ledger.accountBalance(key).receivable);
      answer.pending = amount;
      answer.receivable = amount;
      if (includeConfirmed) {
        answer.confirmed_pending = amount;
        answer.confirmed_receivable = amount;
      }
    }
    if (plain) plainAccountInfo.set(info, Object.freeze(answer));
    return answer;
  },
});

const plainAccountInfo = new WeakMap<AccountInfoResult, RpcResult>();

export const account_block_count = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params, { ledger }) => {
    const reader = new AccountReader();
    const info = ledger.accountInfo(reader.read(params.account));
    if (info === undefined) throw new RpcError('account_not_found');
    return { ...reader.answer(), block_count: String(info.blockCount) };
  },
});

export const account_key = defineAction<Params>({
  params: withAccount,
  control: false,
  handler: (params) => {
    const reader = new AccountReader();
    const key = reader.read(params.account);
    return { ...reader.answer(), key: key.toString('hex').toUpperCase() };
  },
});

export const account_get = defineAction<Params>({
  params: requireFields('key'),
  control: false,
  handler: (params) => ({ account: accountText(hex32(requiredText(params.key), 'bad_public_key')) }),
});

/**
 * One account_history entry as the node's history_visitor writes it (field order included), or
 * undefined when the visitor leaves it empty (change/epoch blocks outside raw, filtered accounts).
 */
function historyEntry(
  info: BlockInfoResult,
  raw: boolean,
  filter: ReadonlySet<string> | undefined,
  linkedAccount: string | undefined,
): Record<string, RpcValue> | undefined {
  const entry: Record<string, RpcValue> = {};
  const ignored = (account: string): boolean => filter !== undefined && !filter.has(account);
  const { block } = info;
  const amount = String(info.amount);
  switch (block.type) {
    case 'send': {
      const destination = accountText(block.destination);
      if (ignored(destination)) return undefined;
      Object.assign(entry, { type: 'send', account: destination, amount });
      if (raw) Object.assign(entry, { destination, balance: String(block.balance), previous: toHex(block.previous) });
      break;
    }
    case 'receive':
      // The node does not apply account_filter to legacy receives.
      Object.assign(entry, { type: 'receive', account: info.linkedAccount ?? '', amount });
      if (raw) Object.assign(entry, { source: toHex(block.source), previous: toHex(block.previous) });
      break;
    case 'open':
      if (raw) {
        Object.assign(entry, {
          type: 'open',
          representative: accountText(block.representative),
          source: toHex(block.source),
          opened: accountText(block.account),
        });
      } else entry.type = 'receive';
      // The genesis open has no send behind it: the node reports the genesis account and amount.
      Object.assign(entry, { account: info.linkedAccount ?? '', amount });
      break;
    case 'change':
      if (raw && filter === undefined) {
        Object.assign(entry, { type: 'change', representative: accountText(block.representative), previous: toHex(block.previous) });
      }
      break;
    case 'state': {
      if (raw) {
        Object.assign(entry, {
          type: 'state',
          representative: accountText(block.representative),
          link: toHex(block.link),
          balance: String(block.balance),
          previous: toHex(block.previous),
        });
      }
      const kind = info.subtype;
      if (kind === 'change' || kind === 'epoch') {
        if (raw && filter === undefined) {
          entry.subtype = kind;
          if (kind === 'epoch') entry.account = accountText(EPOCH_SIGNER);
        }
        break;
      }
      const counterparty = kind === 'send' ? accountText(block.link) : (info.linkedAccount ?? '');
      if (ignored(counterparty)) return undefined;
      entry[raw ? 'subtype' : 'type'] = kind ?? 'receive';
      Object.assign(entry, { account: counterparty, amount });
      break;
    }
  }
  if (Object.keys(entry).length === 0) return undefined;
  if (linkedAccount !== undefined) entry.linked_account = linkedAccount;
  entry.local_timestamp = String(info.localTimestamp);
  entry.height = String(info.height);
  entry.hash = info.hash;
  entry.confirmed = info.confirmed ? 'true' : 'false';
  if (raw) {
    entry.work = info.contents.work ?? '';
    entry.signature = info.contents.signature ?? '';
  }
  return entry;
}

function previousOf(block: Block): Buffer {
  return block.type === 'open' ? ZERO32 : block.previous;
}

function history(params: Params, ledger: Ledger, prefix: Record<string, RpcValue>): Record<string, RpcValue> {
  const reader = new AccountReader();
  let filter: Set<string> | undefined;
  if (params.account_filter !== undefined && params.account_filter !== null) {
    filter = new Set();
    const elements = typeof params.account_filter === 'object' ? Object.values(params.account_filter) : [];
    for (const element of elements) filter.add(accountText(reader.read(element)));
    // An empty filter filters nothing, as in the node.
    if (filter.size === 0) filter = undefined;
  }
  const reverse = flag(params.reverse);
  let count = requiredCount(params.count);
  let offset = optionalOffset(params.offset);

  let account: string;
  let hash: Buffer;
  if (params.head !== undefined) {
    hash = hashValue(params.head, 'bad_hash_number');
    const head = ledger.blockInfo(hash);
    if (head === undefined) throw new RpcError('block_not_found');
    account = head.account;
  } else {
    const key = reader.read(params.account);
    account = accountText(key);
    const info = ledger.accountInfo(key);
    if (reverse) {
      if (info === undefined) throw new RpcError('account_not_found');
      hash = Buffer.from(info.openBlock, 'hex');
    } else {
      hash = info === undefined ? ZERO32 : Buffer.from(info.frontier, 'hex');
    }
  }
  const raw = flag(params.raw);
  const withLinkedAccount = flag(params.include_linked_account);

  const entries: RpcValue[] = [];
  let info = isZero(hash) ? undefined : ledger.blockInfo(hash);
  while (info !== undefined && count > 0n) {
    if (offset > 0n) offset--;
    else {
      const entry = historyEntry(info, raw, filter, withLinkedAccount ? linkedAccountOf(ledger, info) : undefined);
      if (entry !== undefined) {
        entries.push(entry);
        count--;
      }
    }
    hash = reverse ? Buffer.from(info.successor, 'hex') : previousOf(info.block);
    info = isZero(hash) ? undefined : ledger.blockInfo(hash);
  }
  const answer = reader.answer(prefix);
  answer.account = account;
  answer.history = entries;
  if (!isZero(hash)) answer[reverse ? 'next' : 'previous'] = toHex(hash);
  return answer;
}

export const account_history = defineAction<Params>({
  params: { type: 'object' },
  control: false,
  handler: (params, { ledger }) => history(params, ledger, {}),
});

/** The deprecated `history`: account_history from the block `hash`. */
export const history_deprecated = defineAction<Params>({
  params: requireFields('hash'),
  control: false,
  handler: (params, { ledger }) => history({ ...params, head: requiredText(params.hash) }, ledger, { deprecated: '1' }),
});
