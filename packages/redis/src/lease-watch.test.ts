import { describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { LeaseLostError } from './errors/lease-lost-error.js';
import { watchLease } from './lease-watch.js';

describe('watchLease', () => {
  it('aborts with LeaseLostError at the expiry while an extension never answers', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const watch = watchLease({ resource: 'job', renewEveryMs: 100, expiresBy: 300, clock, extend: () => (calls++, new Promise<never>(() => {})) });
    await clock.tickAsync(299);
    expect(calls).toBe(1);
    expect(watch.signal.aborted).toBe(false);
    await clock.tickAsync(1);
    expect(LeaseLostError.isInstance(watch.signal.reason)).toBe(true);
    expect(watch.lost).toBe(true);
    watch.stop();
  });

  it('moves the expiry with each confirmed extension and renews again after it', async () => {
    const clock = new ManualClock(0);
    let calls = 0;
    const watch = watchLease({ resource: 'job', renewEveryMs: 100, expiresBy: 300, clock, extend: async () => (calls++, clock.now() + 300) });
    await clock.tickAsync(1_000);
    expect(watch.signal.aborted).toBe(false);
    expect(calls).toBe(10);
    watch.stop();
    await clock.tickAsync(1_000);
    expect(calls).toBe(10);
    expect(watch.signal.aborted).toBe(false);
  });

  it('aborts at once when an extension is refused, and keeps the caller reason when the caller aborted first', async () => {
    const clock = new ManualClock(0);
    const refused = watchLease({ resource: 'job', renewEveryMs: 100, expiresBy: 300, clock, extend: async () => undefined });
    await clock.tickAsync(100);
    expect(LeaseLostError.isInstance(refused.signal.reason)).toBe(true);
    refused.stop();
    const outer = new AbortController();
    const reason = new Error('shutting down');
    const watched = watchLease({ resource: 'job', renewEveryMs: 100, expiresBy: 300, clock, extend: async () => undefined, signal: outer.signal });
    outer.abort(reason);
    await clock.tickAsync(100);
    expect(watched.signal.reason).toBe(reason);
    expect(watched.lost).toBe(true);
    watched.stop();
  });
});
