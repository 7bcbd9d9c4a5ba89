import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from './deadline-exceeded-error.js';

describe('DeadlineExceededError', () => {
  it('names a deadline a Date can hold as an ISO time', () => {
    expect(new DeadlineExceededError(0).message).toBe('The workflow deadline (1970-01-01T00:00:00.000Z) passed');
  });

  it('never throws while formatting a deadline outside the Date range', () => {
    for (const deadline of [9e15, -9e15, 8.64e15 + 1, Number.MAX_VALUE, Infinity, -Infinity, Number.NaN]) {
      const error = new DeadlineExceededError(deadline);
      expect(error.code).toBe('DEADLINE_EXCEEDED');
      expect(error.deadline).toBe(deadline);
    }
    expect(new DeadlineExceededError(9e15).message).toBe('The workflow deadline (9000000000000000 ms since the epoch) passed');
  });
});
