import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeAccount, encodeAccount } from '../../src/ledger/crypto/account.js';
import { derivePublicKey, sign, verify } from '../../src/ledger/crypto/ed25519.js';
import { DEV_WORK_THRESHOLDS, workMultiplier, workValue } from '../../src/ledger/crypto/work.js';
import { hashBlock } from '../../src/ledger/blocks/hash.js';
import { blockToJson, parseBlockJson } from '../../src/ledger/blocks/json.js';
import { workRoot } from '../../src/ledger/blocks/root.js';
import { DEV_GENESIS_BLOCK } from '../../src/ledger/genesis.js';
import type { Block } from '../../src/ledger/blocks/types.js';

interface KeyVector {
  private: string;
  public: string;
  account: string;
}
interface LegacyOpenVector {
  network: string;
  hash: string;
  source?: string;
  representative?: string;
  account?: string;
  work?: string;
  work_value?: string;
  signature?: string;
}
interface StateVector {
  name: string;
  account: string;
  previous: string;
  representative: string;
  balance: string;
  link: string;
  link_as_account?: string;
  hash: string;
  signature?: string;
  private_key?: string;
  reproducible_signature?: boolean;
  work?: string;
  work_root?: string;
  work_value?: string;
}
interface Vectors {
  key_derivation: KeyVector[];
  account_encoding: { public: string; account: string }[];
  legacy_open_block_hashes: LegacyOpenVector[];
  state_blocks: StateVector[];
  signature_only: { private_key: string; message_hash: string; signature: string }[];
  bad_vectors_do_not_use: { what: string; hash: string; work?: string; actual_difficulty?: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../fixtures/nano-test-vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

function parse(json: Record<string, string>): Block {
  const parsed = parseBlockJson(json);
  if (!parsed.ok) throw new Error(`unexpected invalid field ${parsed.field}`);
  return parsed.block;
}

describe('key derivation and account encoding vectors', () => {
  it.each(vectors.key_derivation)('derives $public', (v) => {
    const pub = derivePublicKey(hex(v.private));
    expect(pub.toString('hex').toUpperCase()).toBe(v.public);
    expect(encodeAccount(pub)).toBe(v.account);
    expect(encodeAccount(pub, 'xrb_')).toBe(v.account.replace('nano_', 'xrb_'));
    expect(decodeAccount(v.account)?.publicKey.equals(pub)).toBe(true);
  });

  it.each(vectors.account_encoding)('encodes $account', (v) => {
    expect(encodeAccount(hex(v.public))).toBe(v.account);
    expect(decodeAccount(v.account)).toEqual({ publicKey: hex(v.public), deprecatedFormat: false });
  });

  it('detects the - separator and accepts xrb_', () => {
    const account = vectors.key_derivation[1]!.account;
    const body = account.slice(5);
    expect(decodeAccount('nano-' + body)?.deprecatedFormat).toBe(true);
    expect(decodeAccount('xrb-' + body)?.deprecatedFormat).toBe(true);
    expect(decodeAccount('xrb_' + body)?.deprecatedFormat).toBe(false);
  });

  it('rejects bad checksums, lengths, prefixes, leading digits and characters', () => {
    const good = vectors.key_derivation[1]!.account;
    expect(decodeAccount('nano_3e3j5tkog48pnny9dmfzj1r16pg8t1e76dz5tmac6iq689wyjfpiij4txtd1')).toBeUndefined();
    expect(decodeAccount(good.slice(0, -1))).toBeUndefined();
    expect(decodeAccount(good + '1')).toBeUndefined();
    expect(decodeAccount('nan0_' + good.slice(5))).toBeUndefined();
    expect(decodeAccount('nano_4' + good.slice(6))).toBeUndefined();
    expect(decodeAccount(good.toUpperCase())).toBeUndefined();
    expect(decodeAccount(good.slice(0, 10) + 'l' + good.slice(11))).toBeUndefined();
    expect(decodeAccount('')).toBeUndefined();
  });
});

describe('legacy open block vectors', () => {
  const complete = vectors.legacy_open_block_hashes.filter((v) => v.source !== undefined && v.signature !== undefined);

  it.each(complete)('$network genesis hashes, verifies and has its work', (v) => {
    const block = parse({
      type: 'open',
      source: v.source!,
      representative: v.representative !== undefined ? encodeAccount(hex(v.representative)) : v.account!,
      account: v.account!.startsWith('nano_') ? v.account! : encodeAccount(hex(v.account!)),
      work: v.work!,
      signature: v.signature!,
    });
    const hash = hashBlock(block);
    expect(hash.toString('hex').toUpperCase()).toBe(v.hash);
    expect(block.type === 'open' && verify(block.signature, hash, block.account)).toBe(true);
    expect(workValue(block.work, workRoot(block)).toString(16)).toBe(v.work_value);
  });

  it('the built-in dev genesis is that block and re-signing reproduces its signature', () => {
    const hash = hashBlock(DEV_GENESIS_BLOCK);
    expect(hash.toString('hex').toUpperCase()).toBe('04270D7F11C4B2B472F2854C5A59F2A7E84226CE9ED799DE75744BD7D85FC9D9');
    const key = hex(vectors.key_derivation[1]!.private);
    expect(sign(key, hash).equals(DEV_GENESIS_BLOCK.signature)).toBe(true);
    expect(workValue(DEV_GENESIS_BLOCK.work, workRoot(DEV_GENESIS_BLOCK))).toBeGreaterThanOrEqual(DEV_WORK_THRESHOLDS.epoch1);
  });
});

describe('state block vectors', () => {
  it.each(vectors.state_blocks)('$name', (v) => {
    const json: Record<string, string> = {
      type: 'state',
      account: v.account,
      previous: v.previous,
      representative: v.representative,
      balance: v.balance,
      link: v.link,
      signature: v.signature ?? '0'.repeat(128),
      work: v.work ?? '0',
    };
    const block = parse(json);
    const hash = hashBlock(block);
    expect(hash.toString('hex').toUpperCase()).toBe(v.hash);
    if (block.type !== 'state') throw new Error('expected state');
    if (v.link_as_account !== undefined) expect(blockToJson(block)['link_as_account']).toBe(v.link_as_account);
    if (v.signature !== undefined) expect(verify(block.signature, hash, block.account)).toBe(true);
    if (v.private_key !== undefined && v.reproducible_signature === true) {
      expect(sign(hex(v.private_key), hash).toString('hex').toUpperCase()).toBe(v.signature);
    }
    if (v.work_value !== undefined) {
      expect(workValue(block.work, workRoot(block)).toString(16)).toBe(v.work_value);
      if (v.work_root !== undefined) expect(workRoot(block).toString('hex').toUpperCase()).toBe(v.work_root);
    }
  });

  it.each(vectors.signature_only)('signature-only vector signs and verifies', (v) => {
    const pub = derivePublicKey(hex(v.private_key));
    const signature = sign(hex(v.private_key), hex(v.message_hash));
    expect(signature.toString('hex').toUpperCase()).toBe(v.signature);
    expect(verify(signature, hex(v.message_hash), pub)).toBe(true);
  });

  it('work_validate: the documented bad vector gives its actual difficulty', () => {
    const v = vectors.bad_vectors_do_not_use.find((x) => x.work !== undefined)!;
    expect(workValue(BigInt('0x' + v.work!), hex(v.hash)).toString(16)).toBe(v.actual_difficulty);
  });
});

describe('signature rejection', () => {
  const key = hex(vectors.key_derivation[2]!.private);
  const pub = derivePublicKey(key);
  const msg = hex(vectors.state_blocks[0]!.hash);
  const good = sign(key, msg);

  it('accepts the good signature and rejects every single-bit flip of signature, message and key', () => {
    expect(verify(good, msg, pub)).toBe(true);
    for (const [which, bytes] of [
      ['sig', good],
      ['msg', msg],
      ['pub', pub],
    ] as const) {
      for (let i = 0; i < bytes.length; i += 7) {
        const copy = Buffer.from(bytes);
        copy[i]! ^= 1 << (i % 8);
        const ok = which === 'sig' ? verify(copy, msg, pub) : which === 'msg' ? verify(good, copy, pub) : verify(good, msg, copy);
        expect(ok, `${which} byte ${i}`).toBe(false);
      }
    }
  });

  it('rejects S ≥ L (S + L is the same point equation but non-canonical)', () => {
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const s = BigInt('0x' + Buffer.from(good.subarray(32)).reverse().toString('hex'));
    const malleable = Buffer.from((s + L).toString(16).padStart(64, '0'), 'hex').reverse();
    expect(verify(Buffer.concat([good.subarray(0, 32), malleable]), msg, pub)).toBe(false);
  });

  it('rejects small-order and non-canonical public keys and an identity R without throwing', () => {
    const identity = Buffer.concat([Buffer.of(1), Buffer.alloc(31)]);
    const nonCanonical = Buffer.alloc(32, 0xff);
    nonCanonical[31] = 0x7f; // y = 2^255 - 1 ≥ p
    expect(verify(good, msg, identity)).toBe(false);
    expect(verify(good, msg, Buffer.alloc(32))).toBe(false);
    expect(verify(good, msg, nonCanonical)).toBe(false);
    expect(verify(Buffer.concat([identity, good.subarray(32)]), msg, pub)).toBe(false);
    expect(verify(good.subarray(0, 63), msg, pub)).toBe(false);
  });
});

describe('work', () => {
  it('multiplier: base gives 1, epoch_2_receive gives 1/64', () => {
    expect(workMultiplier(DEV_WORK_THRESHOLDS.base)).toBe(1);
    expect(workMultiplier(DEV_WORK_THRESHOLDS.epoch2Receive)).toBeCloseTo(1 / 64, 12);
    expect(workMultiplier(0xfff0000000000000n)).toBe(4);
  });
});
