import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { deepEqual, stableStringify } from './deep-equal.js';

describe('deepEqual', () => {
  it('compares plain data by structure, ignoring key order', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: 'x' }, { c: 'x', a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual(new Date(5), new Date(5))).toBe(true);
    expect(deepEqual(NaN, NaN)).toBe(true);
    expect(deepEqual(null, {})).toBe(false);
  });

  it('holds for any JSON value and its structured clone (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => deepEqual(value, structuredClone(value))));
  });
});

describe('stableStringify', () => {
  it('gives the same text whatever the key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        return stableStringify(record) === stableStringify(reversed);
      }),
    );
  });

  it('keeps strings as they are', () => {
    expect(stableStringify('approve')).toBe('approve');
    expect(stableStringify(3)).toBe('3');
  });
});
