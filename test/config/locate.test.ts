import { describe, expect, it } from 'vitest';
import { isLoopback, normaliseAddress } from '../../src/config/address.js';
import { locateKeys } from '../../src/config/locate.js';
import { editDistance, suggest } from '../../src/config/suggest.js';

describe('locateKeys', () => {
  const source = [
    '# comment = 1', // 1
    'port = 1', // 2
    'note = """', // 3
    'address = "inside a multi-line string"', // 4
    '"""', // 5
    '[ secure ]  # tls', // 6
    "'enable' = true", // 7
    '  server_cert_path="x"', // 8
    '[a."b.c"]', // 9
    'd.e = 1', // 10
    'inline = { k = 1 }', // 11
  ].join('\r\n');
  const at = locateKeys(source);

  it('finds bare, quoted, dotted and indented keys under their table', () => {
    expect(at.lineOf(['port'])).toBe(2);
    expect(at.lineOf(['secure'])).toBe(6);
    expect(at.lineOf(['secure', 'enable'])).toBe(7);
    expect(at.lineOf(['secure', 'server_cert_path'])).toBe(8);
    expect(at.lineOf(['a', 'b.c'])).toBe(9);
    expect(at.lineOf(['a', 'b.c', 'd', 'e'])).toBe(10);
  });

  it('skips comments and multi-line strings, and falls back to the nearest ancestor or nothing', () => {
    expect(at.lineOf(['comment'])).toBeUndefined();
    expect(at.lineOf(['address'])).toBeUndefined();
    expect(at.lineOf(['a', 'b.c', 'inline', 'k'])).toBe(11);
    expect(at.lineOf(['secure', 'missing'])).toBe(6);
  });
});

describe('suggest', () => {
  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only close names', () => {
    const keys = ['enable', 'server_cert_path', 'server_key_path', 'client_certs_path'];
    expect(suggest('server_cert', keys)).toBe('server_cert_path');
    expect(suggest('enabled', keys)).toBe('enable');
    expect(suggest('client_cert_path', keys)).toBe('client_certs_path');
    expect(suggest('colour', keys)).toBeUndefined();
  });
});

describe('addresses', () => {
  it('rejects non-IPs and keeps zone ids', () => {
    expect(normaliseAddress('localhost')).toBeUndefined();
    expect(normaliseAddress('127.1')).toBeUndefined();
    expect(normaliseAddress('::1/128')).toBeUndefined();
    expect(normaliseAddress('FE80::1%eth0')).toBe('fe80::1%eth0');
  });

  it('knows loopback from the rest', () => {
    expect(['::1', '127.0.0.1', '127.8.9.10'].map(isLoopback)).toEqual([true, true, true]);
    expect(['::', '0.0.0.0', '10.0.0.1', '::2'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});
