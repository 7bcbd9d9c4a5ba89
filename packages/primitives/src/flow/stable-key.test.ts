import { InvalidInputError } from '../errors/invalid-input-error.js';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stableKey } from './stable-key.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

describe('stableKey', () => {
  it('uses a string input as its own key', () => {
    const input = 'What is TTA?';
    expect(stableKey(input)).toBe(input);
  });

  it('gives the same key to objects that differ only in key order, at every depth', () => {
    expect(stableKey({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(stableKey({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }));
  });

  it('keeps values of different types apart', () => {
    const keys = ['1', 1, 1n, true, 'true', null, undefined, [1], { 0: 1 }, '\u0000j:1', new Date(0), new Map([[1, 2]]), new Set([1])].map(stableKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('ignores functions in objects as JSON does and refuses cycles', () => {
    expect(stableKey({ a: 1, f: () => 1 })).toBe(stableKey({ a: 1 }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableKey(cyclic)).toThrow(InvalidInputError);
  });

  it('is injective on JSON values up to key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (left, right) => {
        const same = stableKey(left) === stableKey(right);
        expect(same).toBe(stableKey(JSON.parse(JSON.stringify(left))) === stableKey(JSON.parse(JSON.stringify(right))));
        if (same) expect(canonical(left)).toEqual(canonical(right));
      }),
    );
  });
});

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([left], [right]) => (left < right ? -1 : 1)).map(([key, entry]) => [key, canonical(entry)]));
  }
  return Object.is(value, -0) ? 0 : value;
}
