import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InvalidInputError } from '@tta/primitives';
import { copyPlainData } from './copy-plain-data.js';

describe('copyPlainData', () => {
  it('gives what a JSON round trip gives for any JSON value, as a detached copy (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copied = copyPlainData('test', 'value', value);
        expect(copied).toStrictEqual(JSON.parse(JSON.stringify(value)));
        if (typeof value === 'object' && value !== null) expect(copied).not.toBe(value);
      }),
    );
  });

  it('names the operation, the value and where in it the refused part is', () => {
    const error = (() => {
      try {
        copyPlainData('SharedState.set', 'the value of "plan"', { steps: [{ due: new Date(0) }] });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'SharedState.set: the value of "plan" cannot be stored as JSON (got a Date at ["steps"][0]["due"]): not a plain object; encode it, for example as a string or a record',
    );
    expect(() => copyPlainData('op', 'v', { n: 1n })).toThrow('op: v cannot be stored as JSON (got 1 at ["n"]): a BigInt; encode it, for example as a string');
    expect(() => copyPlainData('op', 'v', [1, Number.NaN])).toThrow('op: v cannot be stored as JSON (got NaN at [1]): JSON would give null');
  });

  it('keeps an own __proto__ key as data, not as the prototype', () => {
    const copied = copyPlainData('op', 'v', JSON.parse('{"__proto__": {"polluted": true}}') as object);
    expect(Object.getPrototypeOf(copied)).toBe(Object.prototype);
    expect(JSON.stringify(copied)).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses nesting too deep for the stack with InvalidInputError, not a RangeError', () => {
    let deep: unknown = 0;
    for (let level = 0; level < 200_000; level++) deep = [deep];
    expect(() => copyPlainData('op', 'v', deep)).toThrow(InvalidInputError);
  });
});
