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

  it('compares Maps and Sets by their contents', () => {
    expect(deepEqual(new Map([['a', 1]]), new Map([['a', 2]]))).toBe(false);
    expect(deepEqual(new Map([['a', 1]]), new Map([['b', 1]]))).toBe(false);
    expect(deepEqual(new Map([['a', 1]]), new Map([['a', 1], ['b', 2]]))).toBe(false);
    expect(deepEqual(new Map<string, unknown>([['a', { x: [1] }], ['b', 2]]), new Map<string, unknown>([['b', 2], ['a', { x: [1] }]]))).toBe(true);
    expect(deepEqual(new Map([[{ id: 1 }, 'x']]), new Map([[{ id: 1 }, 'x']]))).toBe(true);
    expect(deepEqual(new Map([[{ id: 1 }, 'x']]), new Map([[{ id: 2 }, 'x']]))).toBe(false);
    expect(deepEqual(new Set([1, 2]), new Set([2, 1]))).toBe(true);
    expect(deepEqual(new Set([1, 2]), new Set([1, 3]))).toBe(false);
    expect(deepEqual(new Set([{ a: 1 }, { a: 1 }]), new Set([{ a: 1 }, { a: 2 }]))).toBe(false);
    expect(deepEqual(new Map(), {})).toBe(false);
    expect(deepEqual(new Set(), new Map())).toBe(false);
  });

  it('compares other built-in objects by their value, not by their (absent) own keys', () => {
    expect(deepEqual(/a/g, /b/g)).toBe(false);
    expect(deepEqual(/a/g, /a/i)).toBe(false);
    expect(deepEqual(/a/g, /a/g)).toBe(true);
    expect(deepEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(deepEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(deepEqual(new Uint8Array([1]), new Int8Array([1]))).toBe(false);
    expect(deepEqual(new Error('a'), new Error('b'))).toBe(false);
    class Point { constructor(readonly x: number) {} }
    expect(deepEqual(new Point(1), { x: 1 })).toBe(false);
    expect(deepEqual(new Point(1), new Point(1))).toBe(true);
    expect(deepEqual(Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 })).toBe(true);
  });

  it('terminates on cyclic values', () => {
    const left: Record<string, unknown> = { a: 1 };
    left.self = left;
    const right: Record<string, unknown> = { a: 1 };
    right.self = right;
    expect(deepEqual(left, right)).toBe(true);
    const other: Record<string, unknown> = { a: 2 };
    other.self = other;
    expect(deepEqual(left, other)).toBe(false);
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
