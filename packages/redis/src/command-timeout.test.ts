import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { withCommandTimeout } from './command-timeout.js';

describe('withCommandTimeout', () => {
  afterEach(() => vi.useRealTimers());

  it('rejects a call that outlasts the limit with RedisUnavailableError that may have been applied', async () => {
    vi.useFakeTimers();
    const pending = withCommandTimeout('RedisHandoffQueue.take', 300, () => new Promise<never>(() => {}));
    const settled = pending.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(300);
    const error = await settled;
    expect(RedisUnavailableError.isInstance(error)).toBe(true);
    expect((error as RedisUnavailableError).maybeApplied).toBe(true);
    expect((error as Error).message).toContain('RedisHandoffQueue.take');
  });

  it('keeps the process alive for a call someone awaits, but not for background clean-up', async () => {
    const timers: NodeJS.Timeout[] = [];
    const original = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, ms: number) => {
      const timer = original(callback, ms);
      timers.push(timer);
      return timer;
    }) as typeof setTimeout);
    try {
      const foreground = withCommandTimeout('op', 60_000, async () => 'awaited');
      const background = withCommandTimeout('op', 60_000, async () => 'clean-up', { background: true });
      expect(timers.map((timer) => timer.hasRef())).toEqual([true, false]);
      expect(await Promise.all([foreground, background])).toEqual(['awaited', 'clean-up']);
    } finally {
      spy.mockRestore();
    }
  });

  it('returns a prompt result and leaves no timer behind; 0 means no limit', async () => {
    vi.useFakeTimers();
    expect(await withCommandTimeout('op', 300, async () => 'ok')).toBe('ok');
    expect(vi.getTimerCount()).toBe(0);
    expect(await withCommandTimeout('op', 0, async () => 'unbounded')).toBe('unbounded');
    expect(vi.getTimerCount()).toBe(0);
  });
});
