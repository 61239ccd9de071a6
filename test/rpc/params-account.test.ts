import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeAccount } from '../../src/ledger/crypto/account.js';
import { RpcError } from '../../src/rpc/errors.js';
import { account } from '../../src/rpc/params.js';

/** The account reader remembers accepted spellings; what it remembers must never leak or go stale. */
describe('account parameter', () => {
  it('gives every call its own key: changing one does not change the next answer', () => {
    const key = randomBytes(32);
    const text = encodeAccount(key);
    const first = account(text);
    expect(first.publicKey.equals(key)).toBe(true);
    first.publicKey.fill(0);
    const second = account(text);
    expect(second.publicKey.equals(key)).toBe(true);
    expect(second.publicKey).not.toBe(first.publicKey);
  });

  it('still refuses a bad checksum for an account whose good spelling was accepted', () => {
    const text = encodeAccount(randomBytes(32));
    account(text);
    const last = text.at(-1) === '1' ? '3' : '1';
    const corrupted = text.slice(0, -1) + last;
    expect(() => account(corrupted)).toThrow(new RpcError('bad_account_number'));
    expect(() => account(corrupted, 'account_not_found')).toThrow('Account not found');
  });

  it('keeps the deprecated flag per spelling of the same key', () => {
    const text = encodeAccount(randomBytes(32), 'xrb_');
    expect(account(text).deprecatedFormat).toBe(false);
    expect(account(text.replace('xrb_', 'xrb-')).deprecatedFormat).toBe(true);
    expect(account(text).deprecatedFormat).toBe(false);
  });

  it('stays correct past the number of spellings it remembers', () => {
    const keys = Array.from({ length: 5000 }, () => randomBytes(32));
    for (const key of keys) account(encodeAccount(key));
    for (const key of [keys[0]!, keys[4999]!]) expect(account(encodeAccount(key)).publicKey.equals(key)).toBe(true);
  });
});
