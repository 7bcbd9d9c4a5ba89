import { InvalidInputError } from '../errors/invalid-input-error.js';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { STABLE_KEY_MAX_DEPTH, stableKey } from './stable-key.js';
import { UnkeyableInputError } from '../errors/unkeyable-input-error.js';
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

  it('is injective on JSON values up to key order, -0 included (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (left, right) => {
        // Keys are equal exactly when the values are, up to key order (-0 and 0 differ).
        expect(stableKey(left) === stableKey(right)).toBe(isDeepStrictEqual(canonical(left), canonical(right)));
      }),
    );
  });

  it('gives distinct keys to the pairs that used to collide', () => {
    const invalidDate = new Date(Number.NaN);
    const pairs: Array<[unknown, unknown]> = [
      [/apple/, /cherry/],
      [/apple/g, /apple/i],
      [new Error('a'), new Error('b')],
      [new TypeError('a'), new RangeError('a')],
      [new Error('a', { cause: 1 }), new Error('a', { cause: 2 })],
      [new Number(1), new Number(2)],
      [new String('a'), new String('b')],
      [new Boolean(true), new Boolean(false)],
      [new Number(1), 1],
      [new Uint8Array([1]), new Float64Array([1])],
      [new Uint8Array([1]), { 0: 1 }],
      [new Int8Array([1]), new Uint8Array([1])],
      [new Uint8Array([1, 2]), new Uint8Array([1, 3])],
      [new Uint8Array([1]).buffer, new Uint8Array([2]).buffer],
      [new DataView(new Uint8Array([1]).buffer), new DataView(new Uint8Array([2]).buffer)],
      [new URLSearchParams('a=1'), new URLSearchParams('a=2')],
      [new URLSearchParams('a=1'), 'a=1'],
      [new Date(0), new Date(0).toISOString()],
      [{ at: new Date(0) }, { at: new Date(0).toISOString() }],
      [invalidDate, null],
      [{ at: invalidDate }, { at: null }],
      [-0, 0],
      [{ n: -0 }, { n: 0 }],
      [Number.NaN, null],
      [{ [Symbol.for('a')]: 1 }, { [Symbol.for('b')]: 1 }],
      [{ [Symbol.for('a')]: 1 }, { [Symbol.for('a')]: 2 }],
      [{ a: undefined }, {}],
      // eslint-disable-next-line no-sparse-arrays
      [[, 1], [undefined, 1]],
      // eslint-disable-next-line no-sparse-arrays
      [[], [,]],
      [1n, 1],
      [1n, '1'],
      [new Map([[1, 'a']]), new Map([['1', 'a']])],
      [new Set([1]), new Set(['1'])],
      [new URL('https://example.com/a'), 'https://example.com/a'],
      [new URL('https://example.com/a'), new URL('https://example.com/b')],
    ];
    for (const [left, right] of pairs) expect(stableKey(left), `${String(left)} vs ${String(right)}`).not.toBe(stableKey(right));
  });

  it('gives one key to maps and sets whatever their insertion order, and to null-prototype objects with the same fields', () => {
    expect(stableKey(new Map([[1, 'a'], [2, 'b']]))).toBe(stableKey(new Map([[2, 'b'], [1, 'a']])));
    expect(stableKey(new Set([1, 2]))).toBe(stableKey(new Set([2, 1])));
    expect(stableKey(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(stableKey({ a: 1 }));
  });

  it('refuses a class instance with private state with UnkeyableInputError asking for a key function', () => {
    class Token {
      readonly #secret: string;
      constructor(secret: string) {
        this.#secret = secret;
      }
      reveal(): string {
        return this.#secret;
      }
    }
    const error = catchError(() => stableKey({ user: { token: new Token('a') } }));
    expect(UnkeyableInputError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as UnkeyableInputError).code).toBe('UNKEYABLE_INPUT');
    expect((error as UnkeyableInputError).path).toBe('input.user.token');
    expect((error as Error).message).toMatch(/Token.*`key` function/);
  });

  it('refuses unique symbols and functions outside object fields, and keys registered symbols by name', () => {
    expect(() => stableKey({ [Symbol('a')]: 1 })).toThrow(UnkeyableInputError);
    expect(() => stableKey(Symbol('a'))).toThrow(UnkeyableInputError);
    expect(() => stableKey([() => 1])).toThrow(UnkeyableInputError);
    expect(() => stableKey(() => 1)).toThrow(UnkeyableInputError);
    expect(stableKey(Symbol.for('a'))).toBe(stableKey(Symbol.for('a')));
  });

  it('refuses a toJSON that returns its own object and a 20,000-deep array with UnkeyableInputError, not a RangeError', () => {
    const selfish = { toJSON(): unknown {
      return this;
    } };
    expect(() => stableKey(selfish)).toThrow(UnkeyableInputError);
    class Endless {
      toJSON(): unknown {
        return new Endless();
      }
    }
    expect(() => stableKey(new Endless())).toThrow(UnkeyableInputError);
    let deep: unknown[] = [];
    for (let level = 0; level < 20_000; level++) deep = [deep];
    const error = catchError(() => stableKey(deep));
    expect(UnkeyableInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`deeper than ${STABLE_KEY_MAX_DEPTH}`);
  });

  it('turns a throwing getter and a revoked proxy into UnkeyableInputError with the cause kept', () => {
    const failure = new Error('getter failed');
    const getter = Object.defineProperty({}, 'value', { enumerable: true, get: () => {
      throw failure;
    } });
    const error = catchError(() => stableKey(getter));
    expect(UnkeyableInputError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toBe(failure);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => stableKey(proxy)).toThrow(UnkeyableInputError);
    expect(() => stableKey({ nested: proxy })).toThrow(UnkeyableInputError);
  });

  it('never gives one key to structurally different mixed values (property)', () => {
    const mixed = fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withDate: true, withTypedArray: true, withSparseArray: true, withBigInt: true, withObjectString: true });
    fc.assert(
      fc.property(mixed, mixed, (left, right) => {
        let leftKey: string;
        let rightKey: string;
        try {
          leftKey = stableKey(left);
          rightKey = stableKey(right);
        } catch (error) {
          expect(UnkeyableInputError.isInstance(error)).toBe(true);
          return;
        }
        if (leftKey === rightKey) expect(isDeepStrictEqual(canonical(left), canonical(right))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** The value with plain objects' keys sorted (and null prototypes made plain), so deep equality ignores key order only. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Set) return new Set([...value].map(canonical));
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [canonical(key), canonical(entry)]));
  if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(Object.entries(value).sort(([left], [right]) => (left < right ? -1 : 1)).map(([key, entry]) => [key, canonical(entry)]));
  }
  return value;
}

describe('stableKey of sparse arrays', () => {
  it('keys an array of huge length by the elements it holds, quickly, and keeps hole runs apart', () => {
    const empty: unknown[] = [];
    empty.length = 10_000_000;
    const started = performance.now();
    const key = stableKey(empty);
    expect(performance.now() - started).toBeLessThan(500);
    expect(key.length).toBeLessThan(100);
    const shorter: unknown[] = [];
    shorter.length = 9_999_999;
    expect(stableKey(shorter)).not.toBe(key);
    const withLast = [...Array<unknown>(0)];
    withLast[9_999_999] = 1;
    expect(stableKey(withLast)).not.toBe(key);
    expect(stableKey(withLast)).not.toBe(stableKey(Object.assign([] as unknown[], { 9_999_998: 1, length: 10_000_000 })));
  });

  it('keeps the keys of short hole runs as they were', () => {
    // eslint-disable-next-line no-sparse-arrays -- the holes are the point
    expect(stableKey([, 1])).toBe('\u0000j:[~,1]');
    // eslint-disable-next-line no-sparse-arrays -- the holes are the point
    expect(stableKey([1, , , 2, ,])).toBe('\u0000j:[1,~,~,2,~]');
  });

  it('names the index of a refused entry after a hole', () => {
    const array: unknown[] = [];
    array.length = 100;
    array[50] = () => 1;
    expect(() => stableKey(array)).toThrow(/input\[50\]/);
  });
});
