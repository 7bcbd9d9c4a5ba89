// Load: 100,000 workflows in flight at once complete correctly, and the bulkhead and the rate
// limiter hold their limits under that load.
import { describe, expect, it } from 'vitest';
import { BulkheadRejectedError, WorkflowContext, bulkhead, parallel, rateLimit, sequential, step } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { record } from './figures.js';

const concurrent = 100_000;

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('load', () => {
  it('completes 100,000 concurrent workflows correctly', async () => {
    const release = gate();
    let inFlight = 0;
    let maximum = 0;
    const enter = step('enter', async (value: number) => {
      inFlight++;
      maximum = Math.max(maximum, inFlight);
      await release.wait;
      inFlight--;
      return value;
    });
    const workflow = sequential(enter, parallel(step('square', (value: number) => value * value), step('negate', (value: number) => -value)), step('sum', ([a, b]: [number, number]) => a + b));
    const runs = Array.from({ length: concurrent }, (_, index) => workflow.execute(new WorkflowContext({ correlationId: `load-${index}` }), index));
    await new Promise((resolve) => setImmediate(resolve));
    expect(inFlight).toBe(concurrent);
    release.open();
    const results = await Promise.all(runs);
    results.forEach((result, index) => expect(result).toBe(index * index - index));
    record('loadConcurrentWorkflows', maximum);
    expect(maximum).toBe(concurrent);
  });

  it('keeps a bulkhead at its concurrency limit and queue bound under 100,000 calls', async () => {
    let inFlight = 0;
    let maximum = 0;
    const inner = step('guarded', async (value: number) => {
      inFlight++;
      maximum = Math.max(maximum, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return value;
    });
    const guarded = bulkhead(inner, { maxConcurrent: 64, maxQueue: 50_000 });
    const outcomes = await Promise.allSettled(Array.from({ length: concurrent }, (_, index) => guarded.execute(new WorkflowContext(), index)));
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const rejected = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(maximum).toBe(64);
    expect(fulfilled).toBe(64 + 50_000);
    expect(rejected).toHaveLength(concurrent - fulfilled);
    expect(rejected.every((outcome) => BulkheadRejectedError.isInstance((outcome as PromiseRejectedResult).reason))).toBe(true);
    record('loadBulkheadMaxConcurrent', maximum);
  });

  it('keeps a rate limiter within its budget per interval under 100,000 waiting calls', async () => {
    const clock = new ManualClock(0);
    const admittedAt: number[] = [];
    const limited = rateLimit(step('admitted', (value: number) => (admittedAt.push(clock.now()), value)), { tokensPerInterval: 10_000, intervalMs: 1_000, burst: 10_000, mode: 'wait', clock });
    const runs = Promise.all(Array.from({ length: concurrent }, (_, index) => limited.execute(new WorkflowContext({ clock }), index)));
    for (let second = 0; second < 12; second++) await clock.tickAsync(1_000);
    await runs;
    const perSecond = new Map<number, number>();
    for (const at of admittedAt) perSecond.set(Math.floor(at / 1_000), (perSecond.get(Math.floor(at / 1_000)) ?? 0) + 1);
    const busiest = Math.max(...perSecond.values());
    record('loadRateLimiterBusiestSecond', busiest);
    expect(admittedAt).toHaveLength(concurrent);
    // A full bucket (burst) plus one interval's refill is the most a window can admit.
    expect(busiest).toBeLessThanOrEqual(20_000);
    // Over the whole run the average rate holds: 100,000 calls need at least 9 seconds after the burst.
    expect(Math.max(...admittedAt)).toBeGreaterThanOrEqual(9_000);
  });
});
