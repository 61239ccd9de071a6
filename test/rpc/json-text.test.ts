import { describe, expect, it } from 'vitest';
import { parseAsPropertyTree, quoteBareScalars, scanJsonBody } from '../../src/rpc/json-text.js';

const scan = (json: string, maxDepth = 20) => scanJsonBody(Buffer.from(json), maxDepth);
const quote = (json: string): string => quoteBareScalars(Buffer.from(json)).toString('utf8');

/** What the node's property tree makes of a JSON value: every scalar as text. */
function asText(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asText);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v)]));
  return typeof value === 'string' ? value : String(value);
}

describe('scanJsonBody', () => {
  it('tells plain bodies from bodies with bare scalars, looking only outside strings', () => {
    expect(scan('{"action":"block_count"}')).toBe('plain');
    expect(scan('{"action":"x","n":"-1 true null 5"}')).toBe('plain');
    expect(scan('{"action":"x","n":1}')).toBe('bare_scalars');
    expect(scan('{"a":[true]}')).toBe('bare_scalars');
    expect(scan('{"a":"\\"",  "b" : null}')).toBe('bare_scalars');
  });

  it('measures real nesting, not brackets inside strings', () => {
    expect(scan('[[[]]]', 3)).toBe('plain');
    expect(scan('[[[[]]]]', 3)).toBe('too_deep');
    expect(scan(`{"a":"${'['.repeat(50)}"}`, 3)).toBe('plain');
  });
});

describe('quoteBareScalars', () => {
  it('keeps the exact text of numbers beyond double precision', () => {
    expect(parseAsPropertyTree('{"n":18446744073709551615,"m":-0.50e+10}')).toEqual({ n: '18446744073709551615', m: '-0.50e+10' });
  });

  it('quotes values in objects and arrays at any depth, and leaves strings alone', () => {
    const value = { action: 'x', a: [1, -2.5, true, false, null, ['3', { b: 4e3 }]], s: 'say "1", [2], {3: true}', e: {} };
    expect(JSON.parse(quote(JSON.stringify(value)))).toEqual(asText(value));
    expect(JSON.parse(quote(JSON.stringify(value, null, 2)))).toEqual(asText(value));
  });

  it('leaves what JSON refuses for JSON.parse to refuse', () => {
    for (const bad of [
      '{"a": tru}',
      '{"a": 1x}',
      '{"a": 01}',
      '{1: "a"}',
      '{"a": 1, 2: "b"}',
      '{"a": -}',
      '{"a": .5}',
      '{"a": 1 2}',
      '{"a": 1.}',
      '{"a": 1e}',
      '{"a": -01}',
      '{"a": nulll}',
      '[1',
      '{"a":1',
    ]) {
      expect(() => JSON.parse(quote(bad)), bad).toThrow(SyntaxError);
    }
  });

  it('returns a body without bare scalars as it is, without a copy', () => {
    const body = Buffer.from('{"action":"account_info","account":"nano_1","n":"1"}');
    expect(quoteBareScalars(body)).toBe(body);
  });

  it('quotes a body made only of numbers within twice its size, and keeps multi-byte text intact', () => {
    const numbers = `{"a":[${'1,'.repeat(10_000)}1]}`;
    const quoted = quote(numbers);
    expect(quoted.length).toBe(numbers.length + 2 * 10_001);
    expect((JSON.parse(quoted) as { a: string[] }).a.every((v) => v === '1')).toBe(true);
    expect(parseAsPropertyTree('{"é":"ü→😀","n":[0,-1.5E+2,true]}')).toEqual({ é: 'ü→😀', n: ['0', '-1.5E+2', 'true'] });
  });
});
