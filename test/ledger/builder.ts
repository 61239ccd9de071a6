import * as nano from 'nanocurrency';
import { randomBytes } from 'node:crypto';
import { parseBlockJson } from '../../src/ledger/blocks/json.js';
import type { Block } from '../../src/ledger/blocks/types.js';
import { blake2b256 } from '../../src/ledger/crypto/blake2b.js';

// Blocks built with nanocurrency (an independent implementation) for hashing, signing and work;
// legacy blocks, which nanocurrency cannot hash, are hashed here from their documented field sets.

export const DEV_GENESIS_SECRET = '34F0A37AAD20F4A260F0A5B3CB3D7FB50673212263E58A380BC10474BB039CE4';
export const DEV_GENESIS_PUB = 'B0311EA55708D6A53C75CDBF88300259C6D018522FE3D4D0A242E431F9E8B6D0';
export const DEV_GENESIS_HASH = '04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9';
export const GENESIS_AMOUNT = (1n << 128n) - 1n;
export const ZERO = '0'.repeat(64);
export const EPOCH_V1_LINK = '65706F636820763120626C6F636B000000000000000000000000000000000000';
export const EPOCH_V2_LINK = '65706F636820763220626C6F636B000000000000000000000000000000000000';

export const T = { epoch1: 'fe00000000000000', epoch2: 'ffc0000000000000', receive: 'f000000000000000' } as const;

export interface Key {
  readonly secret: string;
  readonly pub: string;
  readonly address: string;
}

export function newKey(): Key {
  const secret = randomBytes(32).toString('hex').toUpperCase();
  const pub = nano.derivePublicKey(secret);
  return { secret, pub, address: nano.deriveAddress(pub, { useNanoPrefix: true }) };
}

export const GENESIS: Key = {
  secret: DEV_GENESIS_SECRET,
  pub: DEV_GENESIS_PUB,
  address: nano.deriveAddress(DEV_GENESIS_PUB, { useNanoPrefix: true }),
};

export async function work(root: string, threshold: string): Promise<string> {
  const w = await nano.computeWork(root, { workThreshold: threshold });
  if (w === null) throw new Error('no work');
  return w;
}

/** Work meeting `min` but not `below` (for insufficient-work cases). */
export function workBetween(root: string, min: string, below: string): string {
  for (;;) {
    const w = randomBytes(8).toString('hex');
    if (nano.validateWork({ blockHash: root, work: w, threshold: min }) && !nano.validateWork({ blockHash: root, work: w, threshold: below })) {
      return w;
    }
  }
}

function toBlock(json: Record<string, string>): Block {
  const parsed = parseBlockJson(json);
  if (!parsed.ok) throw new Error(`builder made an invalid block (${parsed.field})`);
  return parsed.block;
}

export interface StateParams {
  readonly account: Key | string; // Key, or a public key hex (epoch blocks for other accounts)
  readonly previous: string;
  readonly representative: string; // public key hex
  readonly balance: bigint;
  readonly link: string; // hex
  readonly signer?: Key;
  readonly threshold?: string;
  readonly workValue?: string;
}

export interface Built {
  readonly hash: string;
  readonly block: Block;
  readonly json: Record<string, string>;
}

export async function state(p: StateParams): Promise<Built> {
  const accountPub = typeof p.account === 'string' ? p.account : p.account.pub;
  const signer = p.signer ?? (typeof p.account === 'string' ? undefined : p.account);
  if (signer === undefined) throw new Error('signer required');
  const fields = {
    account: nano.deriveAddress(accountPub, { useNanoPrefix: true }),
    previous: p.previous,
    representative: nano.deriveAddress(p.representative, { useNanoPrefix: true }),
    balance: p.balance.toString(10),
    link: p.link,
  };
  const hash = nano.hashBlock(fields);
  const root = p.previous === ZERO ? accountPub : p.previous;
  const json = {
    type: 'state',
    ...fields,
    link_as_account: nano.deriveAddress(p.link, { useNanoPrefix: true }),
    signature: nano.signBlock({ hash, secretKey: signer.secret }),
    work: p.workValue ?? (await work(root, p.threshold ?? T.epoch1)),
  };
  return { hash, block: toBlock(json), json };
}

function legacyHash(parts: string[]): string {
  return blake2b256(Buffer.concat(parts.map((x) => Buffer.from(x, 'hex'))))
    .toString('hex')
    .toUpperCase();
}

async function legacy(json: Record<string, string>, hashParts: string[], root: string, signer: Key, workValue?: string): Promise<Built> {
  const hash = legacyHash(hashParts);
  const full = { ...json, work: workValue ?? (await work(root, T.epoch1)), signature: nano.signBlock({ hash, secretKey: signer.secret }) };
  return { hash, block: toBlock(full), json: full };
}

export function legacySend(signer: Key, previous: string, destination: string, balance: bigint, w?: string): Promise<Built> {
  const bal = balance.toString(16).toUpperCase().padStart(32, '0');
  return legacy(
    { type: 'send', previous, destination: nano.deriveAddress(destination, { useNanoPrefix: true }), balance: bal },
    [previous, destination, bal],
    previous,
    signer,
    w,
  );
}

export function legacyReceive(signer: Key, previous: string, source: string): Promise<Built> {
  return legacy({ type: 'receive', previous, source }, [previous, source], previous, signer);
}

export function legacyOpen(signer: Key, source: string, representative: string): Promise<Built> {
  return legacy(
    {
      type: 'open',
      source,
      representative: nano.deriveAddress(representative, { useNanoPrefix: true }),
      account: signer.address,
    },
    [source, representative, signer.pub],
    signer.pub,
    signer,
  );
}

export function legacyChange(signer: Key, previous: string, representative: string): Promise<Built> {
  return legacy(
    { type: 'change', previous, representative: nano.deriveAddress(representative, { useNanoPrefix: true }) },
    [previous, representative],
    previous,
    signer,
  );
}
