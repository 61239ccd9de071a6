import { mkdir } from 'node:fs/promises';
import { open } from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { blake2b } from '../ledger/crypto/blake2b.js';

/**
 * The wallets' own LMDB environment (`<ledger path>/wallets/`), as the node keeps `wallets.ldb`
 * apart from the ledger: the ledger stays ignorant of wallets, and wallet writes never wait on a
 * ledger commit. Every secret in it is sealed (see secrets.ts); deterministic accounts are stored
 * as their index only.
 */

export interface WalletRecord {
  readonly version: 1;
  /** Argon2id salt, hex. */
  readonly salt: string;
  readonly kdf: { readonly ops: number; readonly mem: number };
  /** The random wallet key sealed under the password key, hex. */
  readonly walletKey: string;
  /** The seed sealed under the wallet key, hex. */
  readonly seed: string;
  /** Public key, hex. */
  readonly representative: string;
  /** Next deterministic index. */
  readonly index: number;
}

export type EntryRecord =
  | { readonly kind: 'deterministic'; readonly index: number }
  /** The private key sealed under the wallet key, hex. */
  | { readonly kind: 'adhoc'; readonly key: string }
  | { readonly kind: 'watch' };

export interface StoredWallet {
  readonly id: Buffer;
  readonly record: WalletRecord;
  /** Public key hex (upper case) → entry. */
  readonly entries: Map<string, EntryRecord>;
}

type Table = Database<Buffer, Buffer>;
const BINARY = { encoding: 'binary', keyEncoding: 'binary' } as const;

export class WalletStore {
  private constructor(
    private readonly root: RootDatabase<Buffer, Buffer>,
    /** wallet id → WalletRecord (JSON) */
    private readonly wallets: Table,
    /** wallet id ‖ public key → EntryRecord (JSON) */
    private readonly entries: Table,
    /** blake2b-256 of the send `id` (UTF-8; any length fits a key) → block hash: the node's send_action_ids */
    private readonly sendIds: Table,
  ) {}

  static async open(path: string): Promise<WalletStore> {
    await mkdir(path, { recursive: true });
    const root = open<Buffer, Buffer>({ path, maxDbs: 4, ...BINARY });
    return new WalletStore(
      root,
      root.openDB<Buffer, Buffer>('wallets', BINARY),
      root.openDB<Buffer, Buffer>('entries', BINARY),
      root.openDB<Buffer, Buffer>('send_ids', BINARY),
    );
  }

  loadAll(): StoredWallet[] {
    const result: StoredWallet[] = [];
    for (const { key, value } of this.wallets.getRange({})) {
      const id = Buffer.from(key);
      const entries = new Map<string, EntryRecord>();
      const end = Buffer.concat([id, Buffer.alloc(32, 0xff), Buffer.of(0)]);
      for (const entry of this.entries.getRange({ start: id, end })) {
        entries.set(Buffer.from(entry.key).subarray(32).toString('hex').toUpperCase(), decode<EntryRecord>(entry.value));
      }
      result.push({ id, record: decode<WalletRecord>(value), entries });
    }
    return result;
  }

  /** Resolves once committed and synced. (Inside `transaction` a put/remove applies at once; its promise is the transaction's.) */
  async putWallet(id: Buffer, record: WalletRecord, entries: ReadonlyMap<string, EntryRecord> = new Map()): Promise<void> {
    await this.root.transaction(() => {
      void this.wallets.put(id, encode(record));
      for (const [publicKey, entry] of entries) void this.entries.put(entryKey(id, publicKey), encode(entry));
    });
    await this.root.flushed;
  }

  async putEntries(id: Buffer, entries: ReadonlyMap<string, EntryRecord>, record?: WalletRecord): Promise<void> {
    await this.root.transaction(() => {
      if (record !== undefined) void this.wallets.put(id, encode(record));
      for (const [publicKey, entry] of entries) void this.entries.put(entryKey(id, publicKey), encode(entry));
    });
    await this.root.flushed;
  }

  async removeEntries(id: Buffer, publicKeys: readonly string[]): Promise<void> {
    await this.root.transaction(() => {
      for (const publicKey of publicKeys) void this.entries.remove(entryKey(id, publicKey));
    });
    await this.root.flushed;
  }

  async removeWallet(id: Buffer, publicKeys: readonly string[]): Promise<void> {
    await this.root.transaction(() => {
      void this.wallets.remove(id);
      for (const publicKey of publicKeys) void this.entries.remove(entryKey(id, publicKey));
    });
    await this.root.flushed;
  }

  sendId(id: string): Buffer | undefined {
    const value = this.sendIds.get(sendIdKey(id));
    return value === undefined ? undefined : Buffer.from(value);
  }

  /** Resolves once durable: the mapping is on disk before the block it names is processed. */
  async putSendId(id: string, hash: Buffer): Promise<void> {
    await this.sendIds.put(sendIdKey(id), hash);
    await this.root.flushed;
  }

  close(): Promise<void> {
    return this.root.close();
  }
}

function sendIdKey(id: string): Buffer {
  return blake2b(32, Buffer.from(id, 'utf8'));
}

function entryKey(id: Buffer, publicKeyHex: string): Buffer {
  return Buffer.concat([id, Buffer.from(publicKeyHex, 'hex')]);
}

function encode(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function decode<T>(bytes: Uint8Array): T {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}
