import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonLossless, stringifyJson } from './lossless-json.js';

describe('parseJsonLossless', () => {
  it('reads any JSON as JSON.parse does when every integer round-trips through a double', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const parsed = parseJsonLossless(text);
        expect(parsed.ok).toBe(true);
        expect(JSON.stringify(parsed.ok ? parsed.value : undefined)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps integers beyond 2^53 exact, wherever they are, and writes them back as written', () => {
    const text = '{"ids":[12345678901234567893,-9007199254740993,9007199254740991],"s":"1234567890123456789","f":1.5,"g":100000000000000000000,"n":{"a\\"b":true}}';
    const parsed = parseJsonLossless(text);
    expect(parsed).toEqual({ ok: true, value: { ids: [12345678901234567893n, -9007199254740993n, 9007199254740991], s: '1234567890123456789', f: 1.5, g: 1e20, n: { 'a"b': true } } });
    expect(stringifyJson(parsed.ok ? parsed.value : undefined)).toBe(text);
  });

  it('makes __proto__ an own key, not a prototype, on both paths', () => {
    for (const text of ['{"__proto__":{"polluted":1}}', '{"__proto__":{"polluted":1},"id":12345678901234567893}']) {
      const parsed = parseJsonLossless(text);
      const value = (parsed.ok ? parsed.value : {}) as Record<string, unknown>;
      expect(Object.hasOwn(value, '__proto__')).toBe(true);
      expect((value as { polluted?: unknown }).polluted).toBeUndefined();
    }
  });

  it('says not JSON for text that is not, on both paths', () => {
    for (const text of ['', '  ', 'plain', '{"a":1', '{"a":12345678901234567893', '[1,]', '{"a":1}x', '"\\u00"']) expect(parseJsonLossless(text)).toEqual({ ok: false });
  });
});
