import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { ManualClock, MockPrimitive } from '@tta/primitives/testing';
import { RateLimitPrimitive, rateLimit } from './rate-limit-primitive.js';
import { TokenBucketLimiter } from './token-bucket-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import { RateLimitExceededError } from '../errors/rate-limit-exceeded-error.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

const echo = () => new MockPrimitive<number, number>({ implementation: (input) => input });

describe('RateLimitPrimitive', () => {
  it('lets a burst through, then waits for the refill in wait mode', async () => {
    const clock = new ManualClock();
    const inner = echo();
    const limited = rateLimit(inner, { tokensPerInterval: 2, intervalMs: 1_000, clock });
    const context = new WorkflowContext({ clock });
    expect(await limited.execute(context, 1)).toBe(1);
    expect(await limited.execute(context, 2)).toBe(2);
    let third = false;
    const waiting = limited.execute(context, 3).then((value) => {
      third = true;
      return value;
    });
    await clock.tickAsync(499);
    expect(third).toBe(false);
    expect(inner.callCount).toBe(2);
    await clock.tickAsync(1);
    expect(await waiting).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('serves waiting calls one refill apart', async () => {
    const clock = new ManualClock();
    const inner = echo();
    const limited = rateLimit(inner, { tokensPerInterval: 10, intervalMs: 1_000, burst: 1, clock });
    const context = new WorkflowContext({ clock });
    const finished: number[] = [];
    const runs = [1, 2, 3].map((input) => limited.execute(context, input).then((value) => finished.push(clock.now()) && value));
    await clock.tickAsync(1_000);
    expect(await Promise.all(runs)).toEqual([1, 2, 3]);
    expect(finished).toEqual([0, 100, 200]);
  });

  it('rejects with RateLimitExceededError and retryAfterMs in reject mode', async () => {
    const clock = new ManualClock();
    const limited = new RateLimitPrimitive(echo(), { tokensPerInterval: 1, intervalMs: 1_000, mode: 'reject', clock, name: 'openai' });
    const onReject = vi.fn();
    limited.onReject(onReject);
    const context = new WorkflowContext({ clock });
    await limited.execute(context, 1);
    clock.advance(250);
    const error = await limited.execute(context, 2).catch((reason: unknown) => reason);
    expect(RateLimitExceededError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 750, limiter: 'openai', key: 'openai' });
    expect(onReject).toHaveBeenCalledWith({ key: 'openai', permits: 1, retryAfterMs: 750 });
    clock.advance(750);
    expect(await limited.execute(context, 3)).toBe(3);
  });

  it('rejects at once in wait mode when the wait would exceed maxWaitMs', async () => {
    const clock = new ManualClock();
    const limited = rateLimit(echo(), { tokensPerInterval: 1, intervalMs: 1_000, maxWaitMs: 500, clock });
    const context = new WorkflowContext({ clock });
    await limited.execute(context, 1);
    await expect(limited.execute(context, 2)).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1_000 });
    clock.advance(600);
    const waiting = limited.execute(context, 3);
    await clock.tickAsync(400);
    expect(await waiting).toBe(3);
  });

  it('stops waiting and releases its timer when the signal aborts', async () => {
    const clock = new ManualClock();
    const inner = echo();
    const limited = rateLimit(inner, { tokensPerInterval: 1, intervalMs: 60_000, clock });
    const controller = new AbortController();
    const context = new WorkflowContext({ clock, signal: controller.signal });
    await limited.execute(context, 1);
    const waiting = limited.execute(context, 2);
    await clock.tickAsync(10);
    expect(clock.pendingTimers).toBe(1);
    controller.abort('stop');
    await expect(waiting).rejects.toBe('stop');
    expect(clock.pendingTimers).toBe(0);
    expect(inner.callCount).toBe(1);
  });

  it('keeps separate budgets per key and takes the permits the call needs', async () => {
    const clock = new ManualClock();
    const limited = rateLimit(echo(), {
      tokensPerInterval: 10,
      intervalMs: 1_000,
      mode: 'reject',
      clock,
      key: (_input, context) => String(context.data.user),
      permits: (input) => input,
    });
    const alice = new WorkflowContext({ clock, data: { user: 'alice' } });
    const bob = new WorkflowContext({ clock, data: { user: 'bob' } });
    await limited.execute(alice, 8);
    await expect(limited.execute(alice, 3)).rejects.toMatchObject({ retryAfterMs: 100 });
    expect(await limited.execute(bob, 10)).toBe(10);
    await expect(limited.execute(alice, 11)).rejects.toMatchObject({ retryAfterMs: Infinity });
  });

  it('asks a custom limiter and waits for its retryAfterMs', async () => {
    const clock = new ManualClock();
    const answers = [
      { granted: false, retryAfterMs: 40 },
      { granted: true, retryAfterMs: 0 },
    ];
    const limiter: RateLimiter = { acquire: vi.fn(() => Promise.resolve(answers.shift()!)) };
    const limited = rateLimit(echo(), { limiter, clock, key: () => 'shared' });
    const waiting = limited.execute(new WorkflowContext({ clock }), 7);
    await clock.tickAsync(40);
    expect(await waiting).toBe(7);
    expect(limiter.acquire).toHaveBeenCalledWith('shared', 1);
    expect(limiter.acquire).toHaveBeenCalledTimes(2);
  });

  it('validates its options at construction', () => {
    const inner = echo();
    expect(() => rateLimit(inner, {})).toThrow(InvalidOptionsError);
    expect(() => rateLimit(inner, { tokensPerInterval: 0, intervalMs: 1 })).toThrow(/tokensPerInterval/);
    expect(() => rateLimit(inner, { tokensPerInterval: 1, intervalMs: -1 })).toThrow(/intervalMs/);
    expect(() => rateLimit(inner, { tokensPerInterval: 1, intervalMs: 1, burst: 0 })).toThrow(/burst/);
    expect(() => rateLimit(inner, { tokensPerInterval: 1, intervalMs: 1, mode: 'drop' as never })).toThrow(/mode/);
    expect(() => rateLimit(inner, { tokensPerInterval: 1, intervalMs: 1, mode: 'reject', maxWaitMs: 5 })).toThrow(/maxWaitMs/);
    const limiter = new TokenBucketLimiter({ tokensPerInterval: 1, intervalMs: 1 });
    expect(() => rateLimit(inner, { limiter, tokensPerInterval: 1 })).toThrow(/limiter/);
    expect(() => rateLimit(inner, { limiter: {} as RateLimiter })).toThrow(/limiter/);
  });

  it('rejects a call whose permits function returns a bad number', async () => {
    const limited = rateLimit(step('x', (input: number) => input), { tokensPerInterval: 1, intervalMs: 1, permits: () => -1 });
    await expect(limited.execute(new WorkflowContext(), 1)).rejects.toThrow(/permits/);
  });
});

describe('TokenBucketLimiter', () => {
  it('refills continuously up to burst and reports when permits will be available', async () => {
    const clock = new ManualClock();
    const limiter = new TokenBucketLimiter({ tokensPerInterval: 4, intervalMs: 1_000, burst: 2, clock });
    expect(await limiter.acquire('k', 2)).toEqual({ granted: true, retryAfterMs: 0 });
    expect(await limiter.acquire('k', 1)).toEqual({ granted: false, retryAfterMs: 250 });
    clock.advance(10_000);
    expect(limiter.available('k')).toBe(2);
    expect(await limiter.acquire('k', 3)).toEqual({ granted: false, retryAfterMs: Infinity });
  });

  it('forgets the least recently used key beyond maxKeys', () => {
    const clock = new ManualClock();
    const limiter = new TokenBucketLimiter({ tokensPerInterval: 1, intervalMs: 1_000, maxKeys: 2, clock });
    limiter.tryAcquire('a', 1);
    limiter.tryAcquire('b', 1);
    limiter.tryAcquire('a', 0.5);
    limiter.tryAcquire('c', 1);
    expect(limiter.available('b')).toBe(1); // forgotten: a fresh, full bucket
    expect(limiter.available('a')).toBe(0);
    limiter.reset();
    expect(limiter.available('a')).toBe(1);
  });
});

describe('RateLimitPrimitive waiting on the built-in bucket', () => {
  it('serves waiters in arrival order, waking each one once', async () => {
    const clock = new ManualClock(0);
    const order: number[] = [];
    const limited = rateLimit(step('in-order', (value: number) => (order.push(value), value)), { tokensPerInterval: 1, intervalMs: 100, burst: 1, clock });
    const scheduled = vi.spyOn(clock, 'setTimeout');
    const runs = Promise.all([0, 1, 2, 3, 4].map((value) => limited.execute(new WorkflowContext({ clock }), value)));
    await clock.tickAsync(400);
    await runs;
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(scheduled).toHaveBeenCalledTimes(4);
    expect(scheduled.mock.calls.map(([, delayMs]) => delayMs)).toEqual([100, 200, 300, 400]);
  });

  it('gives the reservation back when a waiter aborts', async () => {
    const clock = new ManualClock(0);
    const limited = rateLimit(step('refund', (value: number) => value), { tokensPerInterval: 1, intervalMs: 100, burst: 1, clock });
    await limited.execute(new WorkflowContext({ clock }), 0);
    const controller = new AbortController();
    const leaving = limited.execute(new WorkflowContext({ clock, signal: controller.signal }), 1).catch((error: unknown) => error);
    controller.abort('left the queue');
    await expect(leaving).resolves.toBe('left the queue');
    // The next caller waits for one refill only, not two.
    const scheduled = vi.spyOn(clock, 'setTimeout');
    const next = limited.execute(new WorkflowContext({ clock }), 2);
    await clock.tickAsync(100);
    await expect(next).resolves.toBe(2);
    expect(scheduled.mock.calls.map(([, delayMs]) => delayMs)).toEqual([100]);
  });
});
