import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import * as nano from 'nanocurrency';
import { decodeAccount, encodeAccount } from '../../src/ledger/crypto/account.js';
import { derivePublicKey, sign, verify } from '../../src/ledger/crypto/ed25519.js';
import { generateWork, workValue } from '../../src/ledger/crypto/work.js';
import { blake2b256 } from '../../src/ledger/crypto/blake2b.js';
import { hashBlock } from '../../src/ledger/blocks/hash.js';
import { blockToJson, parseBlockJson } from '../../src/ledger/blocks/json.js';
import { encodeBlock, decodeBlock } from '../../src/ledger/blocks/binary.js';
import type { Block } from '../../src/ledger/blocks/types.js';

const hexU = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
const randomAmount = (): bigint => BigInt('0x' + randomBytes(16).toString('hex')) >> BigInt(randomBytes(1)[0]! % 128);

describe('cross-checks against nanocurrency (independent implementation)', () => {
  it('keys, addresses, signatures on 50 random keys', () => {
    for (let i = 0; i < 50; i++) {
      const secret = randomBytes(32);
      const pub = derivePublicKey(secret);
      expect(hexU(pub)).toBe(nano.derivePublicKey(secret.toString('hex')));
      expect(encodeAccount(pub)).toBe(nano.deriveAddress(hexU(pub), { useNanoPrefix: true }));
      expect(decodeAccount(nano.deriveAddress(hexU(pub)))?.publicKey.equals(pub)).toBe(true);
      const hash = randomBytes(32);
      const ours = sign(secret, hash);
      expect(hexU(ours)).toBe(nano.signBlock({ hash: hexU(hash), secretKey: hexU(secret) }));
      expect(verify(ours, hash, pub)).toBe(true);
    }
  });

  it('state block hash and JSON on 50 random blocks built by nanocurrency', () => {
    for (let i = 0; i < 50; i++) {
      const secret = randomBytes(32).toString('hex');
      const created = nano.createBlock(secret, {
        work: randomBytes(8).toString('hex'),
        previous: i % 5 === 0 ? null : randomBytes(32).toString('hex'),
        representative: nano.deriveAddress(nano.derivePublicKey(randomBytes(32).toString('hex')), { useNanoPrefix: true }),
        balance: randomAmount().toString(10),
        link: randomBytes(32).toString('hex'),
      });
      const parsed = parseBlockJson(created.block);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(hexU(hashBlock(parsed.block))).toBe(created.hash);
      const json = blockToJson(parsed.block);
      const nanoPrefix = (a: string): string => a.replace(/^xrb_/, 'nano_');
      expect(json).toEqual({
        ...created.block,
        account: nanoPrefix(created.block.account),
        link_as_account: nanoPrefix(created.block.link_as_account),
        link: created.block.link.toUpperCase(),
        previous: created.block.previous.toUpperCase(),
      });
      expect(Object.keys(json)).toEqual(['type', 'account', 'previous', 'representative', 'balance', 'link', 'link_as_account', 'signature', 'work']);
      if (parsed.block.type === 'state') expect(verify(parsed.block.signature, hashBlock(parsed.block), parsed.block.account)).toBe(true);
    }
  });

  it('work value agrees with nanocurrency validateWork at the dev thresholds', async () => {
    const root = randomBytes(32).toString('hex');
    const work = await nano.computeWork(root, { workThreshold: 'fe00000000000000' });
    expect(work).not.toBeNull();
    const value = workValue(BigInt('0x' + work!), Buffer.from(root, 'hex'));
    expect(value >= 0xfe00000000000000n).toBe(true);
    for (const t of ['fe00000000000000', 'ffc0000000000000', 'f000000000000000', 'ffffffc000000000']) {
      expect(nano.validateWork({ blockHash: root, work: work!, threshold: t })).toBe(value >= BigInt('0x' + t));
    }
  });
});

describe('work generation', () => {
  it('generateWork returns the first nonce reaching the threshold, accepted by nanocurrency', () => {
    const root = randomBytes(32);
    const work = generateWork(root, 0xffc0000000000000n);
    const text = work.toString(16).padStart(16, '0');
    expect(nano.validateWork({ blockHash: root.toString('hex'), work: text, threshold: 'ffc0000000000000' })).toBe(true);
    expect(workValue(work, root) >= 0xffc0000000000000n).toBe(true);
    // The search starts at the given nonce: the found work is the first qualifying one.
    for (let w = 0n; w < work; w++) expect(workValue(w, root) < 0xffc0000000000000n).toBe(true);
  });
});

describe('block JSON and binary forms', () => {
  const acct = (): string => encodeAccount(randomBytes(32));
  const h = (): string => randomBytes(32).toString('hex').toUpperCase();
  const sig = (): string => randomBytes(64).toString('hex').toUpperCase();
  const legacy: Record<string, string>[] = [
    { type: 'open', source: h(), representative: acct(), account: acct(), work: '00000000000000ff', signature: sig() },
    { type: 'send', previous: h(), destination: acct(), balance: '000000FFFFFFFFFFFFFFFFFFFFFFFFFF', work: '7b42a00ee91d5810', signature: sig() },
    { type: 'receive', previous: h(), source: h(), work: 'ffffffffffffffff', signature: sig() },
    { type: 'change', previous: h(), representative: acct(), work: '0000000000000001', signature: sig() },
  ];

  it.each(legacy)('$type round-trips JSON (node field order) and binary', (json) => {
    const parsed = parseBlockJson(json);
    if (!parsed.ok) throw new Error(parsed.field);
    expect(blockToJson(parsed.block)).toEqual(json);
    expect(Object.keys(blockToJson(parsed.block))).toEqual(Object.keys(json));
    const again: Block = decodeBlock(encodeBlock(parsed.block));
    expect(again).toEqual(parsed.block);
    expect(hashBlock(again).equals(hashBlock(parsed.block))).toBe(true);
  });

  it('legacy hashes follow the documented field sets', () => {
    const [open, send, receive, change] = legacy.map((j) => {
      const p = parseBlockJson(j);
      if (!p.ok) throw new Error(p.field);
      return p.block;
    });
    const b2 = (hexes: string[]): string => hexU(blake2b256(Buffer.concat(hexes.map((x) => Buffer.from(x, 'hex')))));
    expect(hexU(hashBlock(open!))).toBe(
      b2([legacy[0]!['source']!, hexU(decodeAccount(legacy[0]!['representative']!)!.publicKey), hexU(decodeAccount(legacy[0]!['account']!)!.publicKey)]),
    );
    expect(hexU(hashBlock(send!))).toBe(b2([legacy[1]!['previous']!, hexU(decodeAccount(legacy[1]!['destination']!)!.publicKey), legacy[1]!['balance']!]));
    expect(hexU(hashBlock(receive!))).toBe(b2([legacy[2]!['previous']!, legacy[2]!['source']!]));
    expect(hexU(hashBlock(change!))).toBe(b2([legacy[3]!['previous']!, hexU(decodeAccount(legacy[3]!['representative']!)!.publicKey)]));
  });

  it('accepts short hex (left-padded), a link given as an account, and rejects malformed fields', () => {
    const base = {
      type: 'state',
      account: acct(),
      previous: '0',
      representative: acct(),
      balance: '0',
      link: acct(),
      signature: sig(),
      work: '1',
    };
    const ok = parseBlockJson(base);
    expect(ok.ok).toBe(true);
    const bad: [string, Record<string, unknown>][] = [
      ['balance', { ...base, balance: '01' }],
      ['balance', { ...base, balance: '340282366920938463463374607431768211456' }],
      ['balance', { ...base, balance: '-1' }],
      ['balance', { ...base, balance: 'ff' }],
      ['previous', { ...base, previous: 'x'.repeat(64) }],
      ['previous', { ...base, previous: '0'.repeat(65) }],
      ['work', { ...base, work: '0'.repeat(17) }],
      ['signature', { ...base, signature: undefined }],
      ['account', { ...base, account: 'nano_1111' }],
      ['link', { ...base, link: 'nano_zzz' }],
      ['type', { ...base, type: 'utx' }],
      ['representative', { ...base, representative: 12 }],
    ];
    for (const [field, json] of bad) expect(parseBlockJson(json)).toEqual({ ok: false, code: 'block_invalid', field });
    expect(parseBlockJson(null)).toMatchObject({ ok: false });
    expect(parseBlockJson([base])).toMatchObject({ ok: false });
  });
});
