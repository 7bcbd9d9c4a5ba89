import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { assertDeadline, assertDuration } from './duration.js';

describe('assertDuration', () => {
  it('refuses NaN, negatives and non-numbers with InvalidOptionsError naming the option', () => {
    for (const value of [Number.NaN, -1, -Infinity, '5', null, undefined, 5n]) {
      expect(() => assertDuration('Owner', 'waitMs', value)).toThrow(InvalidOptionsError);
    }
    expect(() => assertDuration('Owner', 'waitMs', -1)).toThrow('Owner: option "waitMs" must be a finite number >= 0 (got -1)');
  });

  it('accepts any finite size, also beyond the host timer limit', () => {
    for (const value of [0, 1, 2 ** 31 - 1, 2 ** 31 + 1, 8.64e15 + 1, Number.MAX_VALUE]) {
      expect(() => assertDuration('Owner', 'waitMs', value)).not.toThrow();
    }
  });

  it('accepts Infinity only where it means never', () => {
    expect(() => assertDuration('Owner', 'ttlMs', Infinity)).toThrow('must be a finite number >= 0 (got Infinity)');
    expect(() => assertDuration('Owner', 'ttlMs', Infinity, { infinity: true })).not.toThrow();
  });

  it('refuses zero for a positive duration', () => {
    expect(() => assertDuration('Owner', 'intervalMs', 0, { positive: true })).toThrow('must be a finite number > 0 (got 0)');
    expect(() => assertDuration('Owner', 'ttlMs', 0, { positive: true, infinity: true })).toThrow('must be a number > 0 or Infinity (got 0)');
  });
});

describe('assertDuration with integer', () => {
  it('accepts whole milliseconds up to Number.MAX_SAFE_INTEGER only', () => {
    expect(() => assertDuration('Store', 'ttlMs', Number.MAX_SAFE_INTEGER, { integer: true })).not.toThrow();
    for (const value of [1.5, Number.MAX_SAFE_INTEGER + 1, 1e300, Infinity, Number.NaN, -1]) {
      expect(() => assertDuration('Store', 'ttlMs', value, { integer: true })).toThrow(InvalidOptionsError);
    }
    expect(() => assertDuration('Store', 'ttlMs', 0, { integer: true, positive: true })).toThrow(`Store: option "ttlMs" must be an integer >= 1 and <= ${Number.MAX_SAFE_INTEGER} (got 0)`);
  });
});

describe('assertDeadline', () => {
  it('rejects a deadline outside the Date range with InvalidInputError', () => {
    for (const value of [9e15, -9e15, 8.64e15 + 1, -8.64e15 - 1, -Infinity]) {
      expect(() => assertDeadline('Owner', 'deadline', value)).toThrow(InvalidInputError);
    }
  });

  it('accepts any time a Date can hold, and Infinity', () => {
    for (const value of [0, -1, 8.64e15, -8.64e15, Date.now(), Infinity]) {
      expect(() => assertDeadline('Owner', 'deadline', value)).not.toThrow();
    }
  });

  it('refuses NaN and non-numbers with InvalidOptionsError', () => {
    expect(() => assertDeadline('Owner', 'deadline', Number.NaN)).toThrow(InvalidOptionsError);
    expect(() => assertDeadline('Owner', 'deadline', '2026-01-01')).toThrow(InvalidOptionsError);
  });
});
