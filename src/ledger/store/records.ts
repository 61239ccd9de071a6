import { bytesToU128, u128ToBytes } from '../bytes.js';
import type { BlockSubtype, Epoch } from '../blocks/types.js';

// Compact fixed-layout values. Every layout is versioned by SCHEMA_VERSION in the meta table:
// change a layout, bump the version (an old store is then refused rather than misread).
export const SCHEMA_VERSION = 2n;

/** What the ledger knows about a block beyond its signed fields (the node's "sideband"). */
export interface Sideband {
  readonly account: Buffer;
  readonly height: bigint;
  readonly balance: bigint;
  readonly successor: Buffer;
  /** Seconds since the Unix epoch when the block was applied. */
  readonly timestamp: bigint;
  readonly epoch: Epoch;
  readonly subtype: BlockSubtype;
  /** Epoch of the send a receive/open consumed; 0 otherwise. */
  readonly sourceEpoch: Epoch;
  /** Amount moved by a send or receive (the genesis open: the genesis amount); 0 for change/epoch. */
  readonly amount: bigint;
  /** Send: destination account; receive/open: the sending account; zero otherwise. */
  readonly linkedAccount: Buffer;
}

const SUBTYPES: readonly BlockSubtype[] = ['send', 'receive', 'open', 'change', 'epoch'];

// account32 height8 balance16 successor32 timestamp8 epoch1 subtype1 sourceEpoch1 amount16 linked32
export const SIDEBAND_SIZE = 147;
/** Offset of the successor inside a stored block record, patched in place when a successor arrives. */
export const SUCCESSOR_OFFSET = 56;

function toEpoch(value: number | undefined): Epoch {
  if (value === 0 || value === 1 || value === 2) return value;
  throw new Error('corrupt epoch value');
}

export function encodeSideband(s: Sideband): Buffer {
  const out = Buffer.allocUnsafe(SIDEBAND_SIZE);
  s.account.copy(out, 0);
  out.writeBigUInt64BE(s.height, 32);
  u128ToBytes(s.balance).copy(out, 40);
  s.successor.copy(out, SUCCESSOR_OFFSET);
  out.writeBigUInt64BE(s.timestamp, 88);
  out[96] = s.epoch;
  out[97] = SUBTYPES.indexOf(s.subtype);
  out[98] = s.sourceEpoch;
  u128ToBytes(s.amount).copy(out, 99);
  s.linkedAccount.copy(out, 115);
  return out;
}

export function decodeSideband(buf: Buffer): Sideband {
  const subtype = SUBTYPES[buf[97] ?? 255];
  if (subtype === undefined) throw new Error('corrupt sideband subtype');
  return {
    account: buf.subarray(0, 32),
    height: buf.readBigUInt64BE(32),
    balance: bytesToU128(buf, 40),
    successor: buf.subarray(SUCCESSOR_OFFSET, SUCCESSOR_OFFSET + 32),
    timestamp: buf.readBigUInt64BE(88),
    epoch: toEpoch(buf[96]),
    subtype,
    sourceEpoch: toEpoch(buf[98]),
    amount: bytesToU128(buf, 99),
    linkedAccount: buf.subarray(115, 147),
  };
}

/** Per-account state (the node's account_info plus the current representative, kept for weight moves). */
export interface AccountInfo {
  readonly head: Buffer;
  readonly openBlock: Buffer;
  readonly representativeBlock: Buffer;
  readonly representative: Buffer;
  readonly balance: bigint;
  readonly blockCount: bigint;
  readonly epoch: Epoch;
  /** Seconds since the Unix epoch of the last change. */
  readonly modified: bigint;
}

const ACCOUNT_INFO_SIZE = 32 * 4 + 16 + 8 + 1 + 8;

export function encodeAccountInfo(a: AccountInfo): Buffer {
  const out = Buffer.allocUnsafe(ACCOUNT_INFO_SIZE);
  a.head.copy(out, 0);
  a.openBlock.copy(out, 32);
  a.representativeBlock.copy(out, 64);
  a.representative.copy(out, 96);
  u128ToBytes(a.balance).copy(out, 128);
  out.writeBigUInt64BE(a.blockCount, 144);
  out[152] = a.epoch;
  out.writeBigUInt64BE(a.modified, 153);
  return out;
}

export function decodeAccountInfo(input: Uint8Array): AccountInfo {
  const buf = Buffer.from(input);
  if (buf.length !== ACCOUNT_INFO_SIZE) throw new Error('corrupt account info');
  return {
    head: buf.subarray(0, 32),
    openBlock: buf.subarray(32, 64),
    representativeBlock: buf.subarray(64, 96),
    representative: buf.subarray(96, 128),
    balance: bytesToU128(buf, 128),
    blockCount: buf.readBigUInt64BE(144),
    epoch: toEpoch(buf[152]),
    modified: buf.readBigUInt64BE(153),
  };
}

/** A receivable (pending) entry, keyed by destination ‖ send hash. */
export interface PendingInfo {
  readonly source: Buffer;
  readonly amount: bigint;
  readonly epoch: Epoch;
}

export function pendingKey(destination: Buffer, sendHash: Buffer): Buffer {
  return Buffer.concat([destination, sendHash]);
}

export function encodePending(p: PendingInfo): Buffer {
  return Buffer.concat([p.source, u128ToBytes(p.amount), Buffer.of(p.epoch)]);
}

export function decodePending(input: Uint8Array): PendingInfo {
  const buf = Buffer.from(input);
  if (buf.length !== 49) throw new Error('corrupt pending entry');
  return { source: buf.subarray(0, 32), amount: bytesToU128(buf, 32), epoch: toEpoch(buf[48]) };
}

/** Stored block record: sideband first (fixed size, so the successor can be patched), then the block. */
export function encodeBlockRecord(sideband: Sideband, blockBytes: Buffer): Buffer {
  return Buffer.concat([encodeSideband(sideband), blockBytes]);
}
