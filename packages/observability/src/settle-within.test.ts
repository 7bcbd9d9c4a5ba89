import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { settleWithin } from './settle-within.js';

describe('settleWithin', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resolves settled: false at the limit when the work never ends, and leaves no timer', async () => {
    const outcome = settleWithin(new Promise(() => {}), 500);
    await vi.advanceTimersByTimeAsync(499);
    let done = false;
    void outcome.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toEqual({ settled: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves with the rejection instead of rejecting, and clears its timer', async () => {
    const error = new Error('refused');
    await expect(settleWithin(Promise.reject(error), 500)).resolves.toEqual({ settled: true, error });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves settled: true when the work ends in time', async () => {
    await expect(settleWithin(Promise.resolve('flushed'), 500)).resolves.toEqual({ settled: true });
    expect(vi.getTimerCount()).toBe(0);
  });
});
