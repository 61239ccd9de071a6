import type { Logger } from 'pino';
import { hashBlock } from '../ledger/blocks/hash.js';
import { ZERO32 } from '../ledger/bytes.js';
import { decodeAccount } from '../ledger/crypto/account.js';
import { derivePublicKey } from '../ledger/crypto/ed25519.js';
import { workThreshold, workValue } from '../ledger/crypto/work.js';
import { DEV_GENESIS_ACCOUNT } from '../ledger/genesis.js';
import type { AppliedBlock, Epoch, Ledger } from '../ledger/ledger.js';
import type { WorkPool } from '../work/work-pool.js';
import { DEFAULT_KDF, deterministicKey, open, passwordKey, randomBytes, SALT_BYTES, seal, wipe, type KdfParams } from './secrets.js';
import { AccountQueues } from './account-queues.js';
import { signState } from './state-block.js';
import { WalletStore, type EntryRecord, type WalletRecord } from './wallet-store.js';

/**
 * Node-style wallets on top of the ledger's public API: keys sealed at rest, unlocked in memory,
 * blocks built, worked (WorkPool) and processed through `ledger.processAsync`, and the node's
 * auto-receive driven by the ledger's `onApplied` seam. Nothing here knows about RPC or sockets.
 */

export type WalletErrorCode =
  | 'wallet_not_found'
  | 'wallet_locked'
  | 'account_not_found_in_wallet'
  | 'account_not_found'
  | 'insufficient_balance'
  | 'invalid_work'
  | 'error_generating_block'
  | 'block_not_found'
  | 'unreceivable'
  | 'invalid_index'
  | 'source_not_found';

export class WalletError extends Error {
  constructor(readonly code: WalletErrorCode) {
    super(code);
    this.name = 'WalletError';
  }
}

/** The node's default `receive_minimum`: 10^24 raw. */
export const DEFAULT_RECEIVE_MINIMUM = 10n ** 24n;

export interface WalletsOptions {
  /** Folder of the wallets' LMDB environment. */
  readonly path: string;
  readonly ledger: Ledger;
  readonly work: WorkPool;
  readonly logger: Logger;
  readonly kdf?: KdfParams;
  readonly receiveMinimum?: bigint;
}

export interface WalletAccount {
  readonly publicKey: Buffer;
  readonly kind: EntryRecord['kind'];
}

export interface SendRequest {
  readonly source: Buffer;
  readonly destination: Buffer;
  readonly amount: bigint;
  readonly id?: string;
  readonly work?: bigint;
}

interface Wallet {
  readonly id: Buffer;
  record: WalletRecord;
  readonly entries: Map<string, EntryRecord>;
  /** The decrypted wallet key while unlocked. */
  walletKey: Buffer | undefined;
}

const hexOf = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

export class Wallets {
  private readonly wallets = new Map<string, Wallet>();
  /** Serialises the blocks of one account (send/receive read the head they build on). */
  private readonly accountQueues = new AccountQueues();
  /** Sends with an `id` in progress: a repeat waits for the first instead of building again. */
  private readonly sendsInFlight = new Map<string, Promise<string>>();
  private readonly unsubscribe: () => void;
  private readonly kdf: KdfParams;
  private receiveMinimumValue: bigint;
  private closed = false;

  private constructor(
    private readonly store: WalletStore,
    private readonly ledger: Ledger,
    private readonly work: WorkPool,
    private readonly logger: Logger,
    options: WalletsOptions,
  ) {
    this.kdf = options.kdf ?? DEFAULT_KDF;
    this.receiveMinimumValue = options.receiveMinimum ?? DEFAULT_RECEIVE_MINIMUM;
    this.unsubscribe = ledger.onApplied((applied) => this.autoReceive(applied));
  }

  /** Opens the store and, as the node does at start, tries the empty password on every wallet. */
  static async open(options: WalletsOptions): Promise<Wallets> {
    const store = await WalletStore.open(options.path);
    const wallets = new Wallets(store, options.ledger, options.work, options.logger, options);
    for (const stored of store.loadAll()) {
      wallets.wallets.set(hexOf(stored.id), { id: stored.id, record: stored.record, entries: stored.entries, walletKey: undefined });
    }
    for (const wallet of wallets.wallets.values()) await wallets.unlock(wallet, '');
    for (const wallet of wallets.wallets.values()) if (wallet.walletKey) wallets.searchInBackground(wallet);
    return wallets;
  }

  get receiveMinimum(): bigint {
    return this.receiveMinimumValue;
  }

  set receiveMinimum(value: bigint) {
    this.receiveMinimumValue = value;
  }

  // ---- wallets ----

  async create(seed?: Buffer): Promise<{ id: Buffer; restored?: { last: Buffer | undefined; count: number } }> {
    const id = derivePublicKey(randomBytes(32));
    const salt = randomBytes(SALT_BYTES);
    const walletKey = randomBytes(32);
    const seedBytes = seed ?? randomBytes(32);
    const key = await passwordKey('', salt, this.kdf);
    const record: WalletRecord = {
      version: 1,
      salt: salt.toString('hex'),
      kdf: { ops: this.kdf.ops, mem: this.kdf.mem },
      walletKey: seal(walletKey, key).toString('hex'),
      seed: seal(seedBytes, walletKey).toString('hex'),
      // random_representative() on the dev network is the genesis account.
      representative: hexOf(DEV_GENESIS_ACCOUNT),
      index: 0,
    };
    wipe(key);
    const wallet: Wallet = { id, record, entries: new Map(), walletKey };
    let restored: { last: Buffer | undefined; count: number } | undefined;
    if (seed !== undefined) restored = this.restoreDeterministic(wallet, seedBytes, 0);
    if (seed === undefined) wipe(seedBytes);
    await this.store.putWallet(id, wallet.record, wallet.entries);
    this.wallets.set(hexOf(id), wallet);
    if (restored !== undefined) this.searchInBackground(wallet);
    return restored === undefined ? { id } : { id, restored };
  }

  async destroy(id: Buffer): Promise<void> {
    const wallet = this.get(id);
    await this.store.removeWallet(wallet.id, [...wallet.entries.keys()]);
    this.wallets.delete(hexOf(id));
    wipe(wallet.walletKey);
  }

  exists(id: Buffer): boolean {
    return this.wallets.has(hexOf(id));
  }

  ids(): Buffer[] {
    return [...this.wallets.values()].map((wallet) => wallet.id);
  }

  /** Throws wallet_not_found. */
  private get(id: Buffer): Wallet {
    const wallet = this.wallets.get(hexOf(id));
    if (wallet === undefined) throw new WalletError('wallet_not_found');
    return wallet;
  }

  /** Throws wallet_not_found. */
  check(id: Buffer): void {
    this.get(id);
  }

  // ---- locking ----

  isLocked(id: Buffer): boolean {
    return this.get(id).walletKey === undefined;
  }

  lock(id: Buffer): void {
    const wallet = this.get(id);
    wipe(wallet.walletKey);
    wallet.walletKey = undefined;
  }

  /** The node's password_enter: a wrong password leaves the wallet locked (even if it was open). */
  async enterPassword(id: Buffer, password: string): Promise<boolean> {
    const wallet = this.get(id);
    const ok = await this.unlock(wallet, password);
    if (ok) this.searchInBackground(wallet);
    return ok;
  }

  private async unlock(wallet: Wallet, password: string): Promise<boolean> {
    const key = await passwordKey(password, Buffer.from(wallet.record.salt, 'hex'), wallet.record.kdf);
    const walletKey = open(Buffer.from(wallet.record.walletKey, 'hex'), key);
    wipe(key);
    wipe(wallet.walletKey);
    wallet.walletKey = walletKey;
    return walletKey !== undefined;
  }

  /** Re-seals the wallet key under a new password (fresh salt). Throws wallet_locked. */
  async changePassword(id: Buffer, password: string): Promise<void> {
    const wallet = this.get(id);
    const walletKey = this.unlocked(wallet);
    const salt = randomBytes(SALT_BYTES);
    const key = await passwordKey(password, salt, this.kdf);
    const record: WalletRecord = {
      ...wallet.record,
      salt: salt.toString('hex'),
      kdf: { ops: this.kdf.ops, mem: this.kdf.mem },
      walletKey: seal(walletKey, key).toString('hex'),
    };
    wipe(key);
    await this.store.putEntries(wallet.id, new Map(), record);
    wallet.record = record;
  }

  private unlocked(wallet: Wallet): Buffer {
    if (wallet.walletKey === undefined) throw new WalletError('wallet_locked');
    return wallet.walletKey;
  }

  private seedOf(wallet: Wallet): Buffer {
    const seed = open(Buffer.from(wallet.record.seed, 'hex'), this.unlocked(wallet));
    if (seed === undefined) throw new Error('wallet seed does not open under the wallet key');
    return seed;
  }

  /** The wallet's seed (wallet_export); throws wallet_locked. */
  seed(id: Buffer): Buffer {
    return this.seedOf(this.get(id));
  }

  // ---- accounts ----

  /** In ascending public-key order, as the node iterates its LMDB table. */
  accounts(id: Buffer): WalletAccount[] {
    const wallet = this.get(id);
    return [...wallet.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([publicKey, entry]) => ({ publicKey: Buffer.from(publicKey, 'hex'), kind: entry.kind }));
  }

  contains(id: Buffer, publicKey: Buffer): boolean {
    return this.get(id).entries.has(hexOf(publicKey));
  }

  /** Wallets holding this account (auto-receive, `all_local_accounts`). */
  holders(publicKey: Buffer): Buffer[] {
    const key = hexOf(publicKey);
    return [...this.wallets.values()].filter((wallet) => wallet.entries.has(key)).map((wallet) => wallet.id);
  }

  deterministicIndex(id: Buffer): number {
    return this.get(id).record.index;
  }

  /** account_create: the next unused deterministic index, or exactly `index` (which doesn't move the stored index). */
  async createAccount(id: Buffer, index?: number): Promise<Buffer> {
    const wallet = this.get(id);
    const seed = this.seedOf(wallet);
    const added = new Map<string, EntryRecord>();
    let publicKey: Buffer;
    let record = wallet.record;
    if (index !== undefined) {
      const privateKey = deterministicKey(seed, index);
      publicKey = derivePublicKey(privateKey);
      wipe(privateKey);
      if (!wallet.entries.has(hexOf(publicKey))) added.set(hexOf(publicKey), { kind: 'deterministic', index });
    } else {
      let next = wallet.record.index;
      for (;;) {
        const privateKey = deterministicKey(seed, next);
        publicKey = derivePublicKey(privateKey);
        wipe(privateKey);
        if (!wallet.entries.has(hexOf(publicKey))) break;
        next++;
      }
      added.set(hexOf(publicKey), { kind: 'deterministic', index: next });
      record = { ...wallet.record, index: next + 1 };
    }
    wipe(seed);
    await this.store.putEntries(wallet.id, added, record);
    wallet.record = record;
    for (const [key, entry] of added) wallet.entries.set(key, entry);
    return publicKey;
  }

  async createAccounts(id: Buffer, count: number): Promise<Buffer[]> {
    const wallet = this.get(id);
    const seed = this.seedOf(wallet);
    const added = new Map<string, EntryRecord>();
    const created: Buffer[] = [];
    let next = wallet.record.index;
    while (created.length < count) {
      const privateKey = deterministicKey(seed, next);
      const publicKey = derivePublicKey(privateKey);
      wipe(privateKey);
      const key = hexOf(publicKey);
      if (!wallet.entries.has(key) && !added.has(key)) {
        added.set(key, { kind: 'deterministic', index: next });
        created.push(publicKey);
      }
      next++;
    }
    wipe(seed);
    const record = { ...wallet.record, index: next };
    await this.store.putEntries(wallet.id, added, record);
    wallet.record = record;
    for (const [key, entry] of added) wallet.entries.set(key, entry);
    return created;
  }

  /** wallet_add: an ad-hoc key, sealed under the wallet key. */
  async addKey(id: Buffer, privateKey: Buffer): Promise<Buffer> {
    const wallet = this.get(id);
    const walletKey = this.unlocked(wallet);
    const publicKey = derivePublicKey(privateKey);
    const added = new Map<string, EntryRecord>([[hexOf(publicKey), { kind: 'adhoc', key: seal(privateKey, walletKey).toString('hex') }]]);
    await this.store.putEntries(wallet.id, added);
    wallet.entries.set(hexOf(publicKey), added.get(hexOf(publicKey))!);
    this.searchInBackground(wallet);
    return publicKey;
  }

  async addWatch(id: Buffer, publicKeys: readonly Buffer[]): Promise<void> {
    const wallet = this.get(id);
    this.unlocked(wallet);
    const added = new Map<string, EntryRecord>();
    for (const publicKey of publicKeys) if (!wallet.entries.has(hexOf(publicKey))) added.set(hexOf(publicKey), { kind: 'watch' });
    await this.store.putEntries(wallet.id, added);
    for (const [key, entry] of added) wallet.entries.set(key, entry);
  }

  async remove(id: Buffer, publicKey: Buffer): Promise<void> {
    const wallet = this.get(id);
    this.unlocked(wallet);
    if (!wallet.entries.has(hexOf(publicKey))) throw new WalletError('account_not_found_in_wallet');
    await this.store.removeEntries(wallet.id, [hexOf(publicKey)]);
    wallet.entries.delete(hexOf(publicKey));
  }

  /**
   * account_move: each account's private key is re-sealed under the target's wallet key (an
   * ad-hoc entry there). Answers false at the first account that can't be moved; earlier moves stay.
   */
  async move(targetId: Buffer, sourceId: Buffer, publicKeys: readonly Buffer[]): Promise<boolean> {
    const target = this.get(targetId);
    const source = this.wallets.get(hexOf(sourceId));
    if (source === undefined) throw new WalletError('source_not_found');
    for (const publicKey of publicKeys) {
      const key = hexOf(publicKey);
      const entry = source.entries.get(key);
      if (entry === undefined || source.walletKey === undefined || target.walletKey === undefined) return false;
      let moved: EntryRecord = { kind: 'watch' };
      if (entry.kind !== 'watch') {
        const privateKey = this.privateKeyOf(source, key, entry);
        moved = { kind: 'adhoc', key: seal(privateKey, target.walletKey).toString('hex') };
        wipe(privateKey);
      }
      await this.store.putEntries(target.id, new Map([[key, moved]]));
      await this.store.removeEntries(source.id, [key]);
      target.entries.set(key, moved);
      source.entries.delete(key);
    }
    return true;
  }

  representative(id: Buffer): Buffer {
    return Buffer.from(this.get(id).record.representative, 'hex');
  }

  /**
   * Sets the representative new accounts open with. With `updateExisting`, every opened account of
   * the wallet that delegates elsewhere gets a change block too, queued (the node's
   * fire-and-forget); a locked wallet then refuses.
   */
  async setRepresentative(id: Buffer, representative: Buffer, updateExisting = false): Promise<void> {
    const wallet = this.get(id);
    if (updateExisting) this.unlocked(wallet);
    const record = { ...wallet.record, representative: hexOf(representative) };
    await this.store.putEntries(wallet.id, new Map(), record);
    wallet.record = record;
    if (!updateExisting) return;
    for (const [key, entry] of wallet.entries) {
      if (entry.kind === 'watch') continue;
      const account = Buffer.from(key, 'hex');
      this.serialised(account, () => this.buildChange(wallet, account, representative)).catch((error: unknown) => {
        if (!this.closed) this.logger.warn({ account: key, err: error instanceof WalletError ? error.code : error }, 'representative change failed');
      });
    }
  }

  private async buildChange(wallet: Wallet, account: Buffer, representative: Buffer): Promise<string> {
    const info = this.ledger.accountInfo(account);
    if (info === undefined || decodeAccount(info.representative)!.publicKey.equals(representative)) return '';
    const privateKey = this.privateKey(wallet.id, account);
    const previous = Buffer.from(info.frontier, 'hex');
    const work = await this.work.generate(previous, workThreshold(info.accountVersion, false, false));
    const block = signState(privateKey, { account, previous, representative, balance: info.balance, link: ZERO32, work });
    wipe(privateKey);
    const result = await this.ledger.processAsync(block);
    if (!result.ok) throw new WalletError('error_generating_block');
    return result.hash;
  }

  /**
   * wallet_change_seed: deterministic entries are replaced by those of the new seed (ad-hoc keys
   * stay); index 0 and `count` more are inserted, or with count 0 the used indices are found.
   */
  async changeSeed(id: Buffer, seed: Buffer, count: number): Promise<{ last: Buffer | undefined; count: number }> {
    const wallet = this.get(id);
    const walletKey = this.unlocked(wallet);
    const removed = [...wallet.entries].filter(([, entry]) => entry.kind === 'deterministic').map(([key]) => key);
    const next: Wallet = {
      id: wallet.id,
      record: { ...wallet.record, seed: seal(seed, walletKey).toString('hex'), index: 0 },
      entries: new Map(wallet.entries),
      walletKey,
    };
    for (const key of removed) next.entries.delete(key);
    const restored = this.restoreDeterministic(next, seed, count);
    await this.store.removeEntries(wallet.id, removed);
    await this.store.putWallet(wallet.id, next.record, next.entries);
    wallet.record = next.record;
    wallet.entries.clear();
    for (const [key, entry] of next.entries) wallet.entries.set(key, entry);
    this.searchInBackground(wallet);
    return restored;
  }

  /**
   * Inserts index 0 and `count` more (count > 0), or, with count 0, every index up to the last one
   * whose account has a block or a receivable, scanning a window of 64 past it (the node's
   * deterministic_check).
   */
  private restoreDeterministic(wallet: Wallet, seed: Buffer, count: number): { last: Buffer | undefined; count: number } {
    let upTo = count;
    if (count === 0) {
      for (let index = 0, misses = 0; misses < 64; index++) {
        const privateKey = deterministicKey(seed, index);
        const publicKey = derivePublicKey(privateKey);
        wipe(privateKey);
        const used = this.ledger.accountInfo(publicKey) !== undefined || this.ledger.accountBalance(publicKey).receivable > 0n;
        if (used) {
          upTo = index;
          misses = 0;
        } else misses++;
      }
    }
    let last: Buffer | undefined;
    for (let index = 0; index <= upTo; index++) {
      const privateKey = deterministicKey(seed, index);
      last = derivePublicKey(privateKey);
      wipe(privateKey);
      wallet.entries.set(hexOf(last), { kind: 'deterministic', index });
    }
    wallet.record = { ...wallet.record, index: upTo + 1 };
    return { last, count: upTo + 1 };
  }

  /** The private key of a wallet account (signing, wallet_export). Throws wallet_locked / account_not_found_in_wallet. */
  privateKey(id: Buffer, publicKey: Buffer): Buffer {
    const wallet = this.get(id);
    this.unlocked(wallet);
    const key = hexOf(publicKey);
    const entry = wallet.entries.get(key);
    if (entry === undefined || entry.kind === 'watch') throw new WalletError('account_not_found_in_wallet');
    return this.privateKeyOf(wallet, key, entry);
  }

  private privateKeyOf(wallet: Wallet, publicKeyHex: string, entry: EntryRecord): Buffer {
    const walletKey = this.unlocked(wallet);
    let privateKey: Buffer | undefined;
    if (entry.kind === 'deterministic') {
      const seed = this.seedOf(wallet);
      privateKey = deterministicKey(seed, entry.index);
      wipe(seed);
    } else if (entry.kind === 'adhoc') {
      privateKey = open(Buffer.from(entry.key, 'hex'), walletKey);
    }
    if (privateKey === undefined || hexOf(derivePublicKey(privateKey)) !== publicKeyHex) throw new Error('a wallet entry does not match its key');
    return privateKey;
  }

  /** The stored rows (secrets sealed), for wallet_export. */
  exportRows(id: Buffer): Record<string, unknown> {
    const wallet = this.get(id);
    return { wallet: hexOf(wallet.id), ...wallet.record, accounts: Object.fromEntries([...wallet.entries].sort(([a], [b]) => (a < b ? -1 : 1))) };
  }

  // ---- blocks ----

  private serialised<T>(publicKey: Buffer, job: () => Promise<T>): Promise<T> {
    return this.accountQueues.run(hexOf(publicKey), job);
  }

  /**
   * The node's `send` (json_handler::send + wallet::send_action): the checks in the node's order,
   * then, for an `id` already used whose block is in the ledger, that block's hash; otherwise a new
   * state block, the id → hash mapping made durable before the block is processed.
   */
  async send(id: Buffer, request: SendRequest): Promise<string> {
    const wallet = this.get(id);
    this.unlocked(wallet);
    if (!wallet.entries.has(hexOf(request.source)) || wallet.entries.get(hexOf(request.source))?.kind === 'watch')
      throw new WalletError('account_not_found_in_wallet');
    const info = this.ledger.accountInfo(request.source);
    if (info === undefined) throw new WalletError('account_not_found');
    if (request.work !== undefined && workValue(request.work, Buffer.from(info.frontier, 'hex')) < workThreshold(info.accountVersion, false, false)) {
      throw new WalletError('invalid_work');
    }
    if (request.id === undefined) return this.serialised(request.source, () => this.buildSend(wallet, request));
    const sendId = request.id;
    const inFlight = this.sendsInFlight.get(sendId);
    if (inFlight !== undefined) return inFlight;
    const run = this.serialised(request.source, async () => {
      const previous = this.store.sendId(sendId);
      if (previous !== undefined && this.ledger.blockInfo(previous) !== undefined) return hexOf(previous);
      return this.buildSend(wallet, request);
    });
    this.sendsInFlight.set(sendId, run);
    try {
      return await run;
    } finally {
      this.sendsInFlight.delete(sendId);
    }
  }

  private async buildSend(wallet: Wallet, request: SendRequest): Promise<string> {
    const info = this.ledger.accountInfo(request.source);
    if (info === undefined) throw new WalletError('account_not_found');
    if (info.balance < request.amount) throw new WalletError('insufficient_balance');
    const privateKey = this.privateKey(wallet.id, request.source);
    const previous = Buffer.from(info.frontier, 'hex');
    const threshold = workThreshold(info.accountVersion, false, false);
    const work = request.work ?? (await this.work.generate(previous, threshold));
    const block = signState(privateKey, {
      account: request.source,
      previous,
      representative: decodeAccount(info.representative)!.publicKey,
      balance: info.balance - request.amount,
      link: request.destination,
      work,
    });
    wipe(privateKey);
    const hash = hashBlock(block);
    if (request.id !== undefined) await this.store.putSendId(request.id, hash);
    const result = await this.ledger.processAsync(block);
    if (!result.ok) {
      this.logger.warn({ account: hexOf(request.source), refused: result.code }, 'send: the ledger refused the wallet block');
      throw new WalletError('error_generating_block');
    }
    return result.hash;
  }

  /** The node's `receive` of one receivable send into a wallet account; answers the new block's hash. */
  async receive(id: Buffer, account: Buffer, sendHash: Buffer, work?: bigint): Promise<string> {
    const wallet = this.get(id);
    this.unlocked(wallet);
    const entry = wallet.entries.get(hexOf(account));
    if (entry === undefined || entry.kind === 'watch') throw new WalletError('account_not_found_in_wallet');
    if (this.ledger.blockInfo(sendHash) === undefined) throw new WalletError('block_not_found');
    if (this.ledger.pendingEntry(account, sendHash) === undefined) throw new WalletError('unreceivable');
    if (work !== undefined) {
      const info = this.ledger.accountInfo(account);
      const root = info === undefined ? account : Buffer.from(info.frontier, 'hex');
      const pending = this.ledger.pendingEntry(account, sendHash)!;
      if (workValue(work, root) < workThreshold(maxEpoch(info?.accountVersion ?? 0, pending.epoch), true, false)) throw new WalletError('invalid_work');
    }
    return this.serialised(account, () => this.buildReceive(wallet, account, sendHash, work));
  }

  private async buildReceive(wallet: Wallet, account: Buffer, sendHash: Buffer, work?: bigint): Promise<string> {
    const pending = this.ledger.pendingEntry(account, sendHash);
    if (pending === undefined) throw new WalletError('unreceivable');
    const info = this.ledger.accountInfo(account);
    const privateKey = this.privateKey(wallet.id, account);
    const previous = info === undefined ? ZERO32 : Buffer.from(info.frontier, 'hex');
    // An open takes the wallet's representative; a receive keeps the account's.
    const representative = info === undefined ? Buffer.from(wallet.record.representative, 'hex') : decodeAccount(info.representative)!.publicKey;
    const threshold = workThreshold(maxEpoch(info?.accountVersion ?? 0, pending.epoch), true, false);
    const blockWork = work ?? (await this.work.generate(info === undefined ? account : previous, threshold));
    const block = signState(privateKey, {
      account,
      previous,
      representative,
      balance: (info?.balance ?? 0n) + pending.amount,
      link: sendHash,
      work: blockWork,
    });
    wipe(privateKey);
    const result = await this.ledger.processAsync(block);
    if (!result.ok) {
      this.logger.warn({ account: hexOf(account), refused: result.code }, 'receive: the ledger refused the wallet block');
      throw new WalletError('error_generating_block');
    }
    return result.hash;
  }

  // ---- auto-receive ----

  /** A send to an account of an unlocked wallet, at or above receive_minimum, is received (the node does it on cementing). */
  private autoReceive(applied: AppliedBlock): void {
    if (this.closed) return;
    const block = applied.block;
    const destination = block.type === 'state' ? block.link : block.type === 'send' ? block.destination : undefined;
    if (destination === undefined) return;
    const holders = this.holders(destination);
    if (holders.length === 0) return;
    const hash = Buffer.from(applied.hash, 'hex');
    const pending = this.ledger.pendingEntry(destination, hash);
    if (pending === undefined || pending.amount < this.receiveMinimumValue) return;
    for (const holderId of holders) {
      const wallet = this.wallets.get(hexOf(holderId));
      if (wallet?.walletKey === undefined || wallet.entries.get(hexOf(destination))?.kind === 'watch') continue;
      this.receiveQuietly(wallet, destination, hash);
      return;
    }
  }

  private receiveQuietly(wallet: Wallet, account: Buffer, hash: Buffer): void {
    this.serialised(account, () => {
      if (this.closed || this.ledger.pendingEntry(account, hash) === undefined) return Promise.resolve('');
      return this.buildReceive(wallet, account, hash);
    }).catch((error: unknown) => {
      if (!this.closed)
        this.logger.warn({ account: hexOf(account), hash: hexOf(hash), err: error instanceof WalletError ? error.code : error }, 'auto-receive failed');
    });
  }

  /** search_receivable: receives every receivable ≥ receive_minimum of the wallet's accounts. Answers false when locked. */
  searchReceivable(id: Buffer): boolean {
    const wallet = this.get(id);
    if (wallet.walletKey === undefined) return false;
    this.searchInBackground(wallet);
    return true;
  }

  searchReceivableAll(): void {
    for (const wallet of this.wallets.values()) if (wallet.walletKey !== undefined) this.searchInBackground(wallet);
  }

  private searchInBackground(wallet: Wallet): void {
    for (const [key, entry] of wallet.entries) {
      if (entry.kind === 'watch') continue;
      const account = Buffer.from(key, 'hex');
      for (const receivable of this.ledger.receivable(account, { threshold: this.receiveMinimumValue })) {
        this.receiveQuietly(wallet, account, Buffer.from(receivable.hash, 'hex'));
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    await this.accountQueues.idle();
    for (const wallet of this.wallets.values()) {
      wipe(wallet.walletKey);
      wallet.walletKey = undefined;
    }
    await this.store.close();
  }
}

function maxEpoch(a: Epoch, b: Epoch): Epoch {
  return a > b ? a : b;
}
