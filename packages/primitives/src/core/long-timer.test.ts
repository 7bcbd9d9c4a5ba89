import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '@tta/primitives/instrumentation';
import { LongTimer, clearLongTimeout, maxTimerDelayMs, setLongTimeout } from './long-timer.js';

const day = 86_400_000;

describe('setLongTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits the full delay when it is longer than the host timer limit', async () => {
    const fired = vi.fn();
    setLongTimeout(fired, 30 * day);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(30 * day - 1_000 - 1);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('waits exactly 2^31 ms, one past the host limit', async () => {
    const fired = vi.fn();
    setLongTimeout(fired, maxTimerDelayMs + 1);
    await vi.advanceTimersByTimeAsync(maxTimerDelayMs);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('never fires for Infinity and holds no host timer', async () => {
    const fired = vi.fn();
    const handle = setLongTimeout(fired, Infinity);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(100 * day);
    expect(fired).not.toHaveBeenCalled();
    clearLongTimeout(handle);
  });

  it('uses a plain host timer up to the limit', () => {
    const handle = setLongTimeout(() => {}, maxTimerDelayMs);
    expect(handle).not.toBeInstanceOf(LongTimer);
    clearLongTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops a long timer cleared half-way through its chain', async () => {
    const fired = vi.fn();
    const handle = setLongTimeout(fired, 60 * day);
    await vi.advanceTimersByTimeAsync(40 * day);
    clearLongTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(40 * day);
    expect(fired).not.toHaveBeenCalled();
  });

  it('makes systemClock wait a 30-day delay and never fire an Infinity one', async () => {
    const fired = vi.fn();
    systemClock.setTimeout(() => fired('long'), 30 * day);
    const never = systemClock.setTimeout(() => fired('never'), Infinity);
    await vi.advanceTimersByTimeAsync(30 * day - 1);
    expect(fired).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fired.mock.calls).toEqual([['long']]);
    systemClock.clearTimeout(never);
  });
});

describe('LongTimer', () => {
  it('can be unreferenced and referenced like a Node timer, through its whole chain', () => {
    const timer = new LongTimer(() => {}, 30 * day);
    expect(timer.hasRef()).toBe(true);
    timer.unref();
    expect(timer.hasRef()).toBe(false);
    timer.ref();
    expect(timer.hasRef()).toBe(true);
    timer.clear();
    expect(timer.hasRef()).toBe(false);
  });
});
