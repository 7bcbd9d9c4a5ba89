import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

describe('systemClock', () => {
  afterEach(() => vi.useRealTimers());

  it('follows fake timers that replace the performance global', () => {
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout', 'clearTimeout', 'Date'] });
    const start = systemClock.now();
    vi.advanceTimersByTime(30_000);
    expect(systemClock.now() - start).toBe(30_000);
  });
});
