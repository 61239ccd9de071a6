import { bytesToU128, isZero, toHex, ZERO32 } from '../bytes.js';
import { blockToJson } from '../blocks/json.js';
import { encodeAccount } from '../crypto/account.js';
import { decodeAccountInfo, decodePending } from '../store/records.js';
import type { AccountInfo } from '../store/records.js';
import type { Store } from '../store/store.js';
import { decodeStoredBlock, storeView } from '../store/view.js';
import type { StoredBlock } from '../store/view.js';
import type { AccountEntry, AccountInfoResult, BalanceResult, BlockInfoResult, FrontierEntry, HistoryEntry, ReceivableEntry, WeightEntry } from './types.js';

export interface PageOptions {
  /** Maximum entries; undefined = all. */
  readonly count?: number;
  readonly offset?: number;
}

export interface ReceivableOptions extends PageOptions {
  /** Only entries with amount ≥ threshold. */
  readonly threshold?: bigint;
  /** Sort by amount, largest first (the RPC `sorting`). */
  readonly sortByAmount?: boolean;
}

export interface DelegatorOptions extends PageOptions {
  /** Only accounts after this public key (exclusive), as the RPC `start`. */
  readonly after?: Buffer;
  /** Only delegators whose balance is ≥ threshold. */
  readonly threshold?: bigint;
}

export interface HistoryOptions extends PageOptions {
  readonly reverse?: boolean;
  readonly raw?: boolean;
  readonly head?: Buffer;
}

export interface Queries {
  accountInfo(account: Buffer): AccountInfoResult | undefined;
  accountBalance(account: Buffer): BalanceResult;
  blockInfo(hash: Buffer): BlockInfoResult | undefined;
  /** Hashes walking `previous` (newest → oldest) from `hash` inclusive; `reverse` walks successors. */
  chain(hash: Buffer, opts: PageOptions & { readonly reverse?: boolean }): string[];
  /**
   * Account history newest first (`reverse`: oldest first). `head` starts at that block of the account
   * instead of its frontier (or open block). Non-raw skips change/epoch blocks and reports opens as receives.
   */
  history(account: Buffer, opts: HistoryOptions): HistoryEntry[];
  receivable(account: Buffer, opts?: ReceivableOptions): ReceivableEntry[];
  /** Accounts in public-key byte order from `start` inclusive. */
  frontiers(start: Buffer, count: number): FrontierEntry[];
  /** Representatives with non-zero weight, in public-key order. */
  representatives(count?: number): WeightEntry[];
  /** Accounts whose current representative is `representative`, with their balances. */
  delegators(representative: Buffer, opts?: DelegatorOptions): WeightEntry[];
  delegatorCount(representative: Buffer): bigint;
  weight(representative: Buffer): bigint;
  /** Every account in public-key byte order from `start` inclusive, lazily (read while iterating). */
  accounts(start: Buffer): Iterable<AccountEntry>;
  /** The receivable entry of one send, if it is still unreceived. */
  pendingEntry(destination: Buffer, sendHash: Buffer): ReceivableEntry | undefined;
}

function blockInfoOf(hash: Buffer, stored: StoredBlock): BlockInfoResult {
  const { block, sideband } = stored;
  const kind = sideband.subtype;
  const moves = kind === 'send' || kind === 'receive' || kind === 'open';
  return {
    hash: toHex(hash),
    account: encodeAccount(sideband.account),
    amount: moves ? sideband.amount : 0n,
    balance: sideband.balance,
    height: sideband.height,
    localTimestamp: sideband.timestamp,
    successor: toHex(sideband.successor),
    confirmed: true,
    subtype: block.type === 'state' ? (kind === 'open' ? 'receive' : kind) : undefined,
    kind,
    epoch: sideband.epoch,
    sourceEpoch: sideband.sourceEpoch,
    linkedAccount: isZero(sideband.linkedAccount) && !moves ? undefined : encodeAccount(sideband.linkedAccount),
    contents: blockToJson(block),
    block,
  };
}

function accountInfoOf(info: AccountInfo): AccountInfoResult {
  return {
    frontier: toHex(info.head),
    openBlock: toHex(info.openBlock),
    representativeBlock: toHex(info.representativeBlock),
    // Encoded only when read: account_info leaves it out unless asked for.
    get representative() {
      return encodeAccount(info.representative);
    },
    balance: info.balance,
    modifiedTimestamp: info.modified,
    blockCount: info.blockCount,
    accountVersion: info.epoch,
    confirmationHeight: info.blockCount,
    confirmationHeightFrontier: toHex(info.head),
  };
}

function page<T>(items: Iterable<T>, opts: PageOptions): T[] {
  const out: T[] = [];
  let skip = opts.offset ?? 0;
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return out;
  for (const item of items) {
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}

/** How many decoded account records `accountInfo` keeps; past that the cache starts over. */
const ACCOUNT_INFO_CACHE_SIZE = 4096;

export function createQueries(store: Store): Queries {
  const view = storeView(store);
  // Wallet backends poll the same accounts again and again. An answer is a function of the
  // stored record alone, so it is reused while the record's bytes are unchanged: no invalidation
  // to get wrong, and a changed account simply misses.
  const accountInfoCache = new Map<string, { readonly record: Buffer; readonly result: AccountInfoResult }>();
  const balanceCache = new Map<string, { readonly info: AccountInfoResult | undefined; readonly total: Buffer | undefined; readonly result: BalanceResult }>();

  function accountInfo(account: Buffer): AccountInfoResult | undefined {
    const record = store.accounts.get(account);
    if (record === undefined) return undefined;
    const key = account.toString('latin1');
    const cached = accountInfoCache.get(key);
    if (cached !== undefined && cached.record.equals(record)) return cached.result;
    const result = accountInfoOf(decodeAccountInfo(record));
    if (accountInfoCache.size >= ACCOUNT_INFO_CACHE_SIZE) accountInfoCache.clear();
    // A copy: LMDB may hand out the same memory for the next read.
    accountInfoCache.set(key, { record: Buffer.from(record), result });
    return result;
  }

  function storedBlock(hash: Buffer): StoredBlock | undefined {
    const value = store.blocks.get(hash);
    return value === undefined ? undefined : decodeStoredBlock(value);
  }

  function* walk(start: Buffer, reverse: boolean): Generator<[Buffer, StoredBlock]> {
    let hash = start;
    for (;;) {
      const stored = storedBlock(hash);
      if (stored === undefined) return;
      yield [hash, stored];
      const next = reverse ? stored.sideband.successor : stored.block.type === 'open' ? ZERO32 : stored.block.previous;
      if (isZero(next)) return;
      hash = next;
    }
  }

  function receivableEntries(account: Buffer): ReceivableEntry[] {
    const out: ReceivableEntry[] = [];
    for (const { key, value } of store.pending.getRange(pendingRangeOf(account))) {
      const k = Buffer.from(key);
      if (!k.subarray(0, 32).equals(account)) break;
      const entry = decodePending(value);
      out.push({ hash: toHex(k.subarray(32)), amount: entry.amount, source: encodeAccount(entry.source), epoch: entry.epoch });
    }
    return out;
  }

  return {
    accountInfo,
    accountBalance(account) {
      // Reused on the same terms as accountInfo: same account record, same receivable total.
      const info = accountInfo(account);
      const total = store.receivableTotals.get(account);
      const key = account.toString('latin1');
      const cached = balanceCache.get(key);
      if (cached !== undefined && cached.info === info && sameBytes(cached.total, total)) return cached.result;
      const result: BalanceResult = { balance: info?.balance ?? 0n, receivable: total === undefined ? 0n : bytesToU128(total) };
      if (balanceCache.size >= ACCOUNT_INFO_CACHE_SIZE) balanceCache.clear();
      balanceCache.set(key, { info, total: total === undefined ? undefined : Buffer.from(total), result });
      return result;
    },
    blockInfo(hash) {
      const stored = storedBlock(hash);
      return stored === undefined ? undefined : blockInfoOf(hash, stored);
    },
    chain(hash, opts) {
      const hashes = (function* () {
        for (const [h] of walk(hash, opts.reverse === true)) yield toHex(h);
      })();
      return page(hashes, opts);
    },
    history(account, opts) {
      const info = view.account(account);
      if (info === undefined) return [];
      const reverse = opts.reverse === true;
      const self = encodeAccount(account);
      const entries = (function* (): Generator<HistoryEntry> {
        const start = opts.head ?? (reverse ? info.openBlock : info.head);
        for (const [h, stored] of walk(start, reverse)) {
          if (!stored.sideband.account.equals(account)) return;
          const { sideband, block } = stored;
          const kind = sideband.subtype;
          if (opts.raw !== true && (kind === 'change' || kind === 'epoch')) continue;
          const moves = kind === 'send' || kind === 'receive' || kind === 'open';
          yield {
            hash: toHex(h),
            type: opts.raw === true ? kind : kind === 'open' ? 'receive' : kind,
            blockType: block.type,
            account: moves ? encodeAccount(sideband.linkedAccount) : self,
            amount: moves ? sideband.amount : 0n,
            balance: sideband.balance,
            height: sideband.height,
            localTimestamp: sideband.timestamp,
            confirmed: true,
            contents: blockToJson(block),
            previous: toHex(block.type === 'open' ? ZERO32 : block.previous),
            successor: toHex(sideband.successor),
          };
        }
      })();
      return page(entries, opts);
    },
    receivable(account, opts = {}) {
      let entries = receivableEntries(account);
      if (opts.threshold !== undefined) entries = entries.filter((e) => e.amount >= opts.threshold!);
      if (opts.sortByAmount === true) entries.sort((a, b) => (a.amount === b.amount ? 0 : a.amount > b.amount ? -1 : 1));
      return page(entries, opts);
    },
    frontiers(start, count) {
      const out: FrontierEntry[] = [];
      if (count <= 0) return out;
      for (const { key, value } of store.accounts.getRange({ start, limit: count })) {
        out.push({ account: encodeAccount(Buffer.from(key)), hash: toHex(decodeAccountInfo(value).head) });
      }
      return out;
    },
    representatives(count) {
      const out: WeightEntry[] = [];
      for (const { key, value } of store.weights.getRange(count === undefined ? {} : { limit: count })) {
        out.push({ account: encodeAccount(Buffer.from(key)), weight: bytesToU128(value) });
      }
      return out;
    },
    delegators(representative, opts = {}) {
      const threshold = opts.threshold ?? 0n;
      const after = opts.after;
      const matches = (function* (): Generator<WeightEntry> {
        for (const { key, value } of store.accounts.getRange(after === undefined ? {} : { start: after })) {
          const account = Buffer.from(key);
          if (after !== undefined && account.equals(after)) continue;
          const info = decodeAccountInfo(value);
          if (info.representative.equals(representative) && info.balance >= threshold) {
            yield { account: encodeAccount(account), weight: info.balance };
          }
        }
      })();
      return page(matches, opts);
    },
    delegatorCount(representative) {
      let count = 0n;
      for (const { value } of store.accounts.getRange({})) {
        if (decodeAccountInfo(value).representative.equals(representative)) count++;
      }
      return count;
    },
    weight: (representative) => view.weight(representative),
    *accounts(start) {
      for (const { key, value } of store.accounts.getRange({ start })) {
        const publicKey = Buffer.from(key);
        yield { publicKey, account: encodeAccount(publicKey), info: accountInfoOf(decodeAccountInfo(value)) };
      }
    },
    pendingEntry(destination, sendHash) {
      const entry = view.pending(destination, sendHash);
      if (entry === undefined) return undefined;
      return { hash: toHex(sendHash), amount: entry.amount, source: encodeAccount(entry.source), epoch: entry.epoch };
    },
  };
}

/** The pending table's keys of one destination: destination ‖ send hash, for every send hash. */
function pendingRangeOf(account: Buffer): { start: Buffer; end: Buffer; inclusiveEnd: true } {
  return { start: account, end: Buffer.concat([account, MAX_HASH]), inclusiveEnd: true };
}

const MAX_HASH = Buffer.alloc(32, 0xff);

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}
