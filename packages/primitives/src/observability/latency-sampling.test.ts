import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionsError, PrimitiveMetrics, WorkflowContext, metrics, retry, step, timeout } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';

/** Executions timed exactly before sampling starts (documented in the README). */
const exactExecutions = 1_024;

/** A seeded generator, so the latencies (and therefore the assertions) are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('PrimitiveMetrics latency sampling', () => {
  const clock = new ManualClock(0);
  const previousClock = metrics.clock;
  let clockReads = 0;
  const countingClock = { now: () => (clockReads++, clock.now()), setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) };

  beforeEach(() => {
    metrics.reset();
    metrics.configure({ clock: countingClock, enabled: true });
    clockReads = 0;
  });
  afterEach(() => metrics.configure({ clock: previousClock, latencySampleInterval: 16 }));

  it('times every execution of a name up to 1,024, then about one in 16, while counting all of them', async () => {
    const work = step('sampled-work', (latencyMs: number) => (clock.advance(latencyMs), latencyMs));
    const context = new WorkflowContext();
    for (let index = 0; index < exactExecutions; index++) await work.execute(context, 1);
    expect(clockReads).toBe(2 * exactExecutions);
    const more = 40_000;
    for (let index = 0; index < more; index++) await work.execute(context, 1);
    const entry = metrics.snapshot()['sampled-work']!;
    expect(entry).toMatchObject({ count: exactExecutions + more, successes: exactExecutions + more, minMs: 1, maxMs: 1, p50Ms: 1, meanMs: 1 });
    expect(entry.totalMs).toBeCloseTo(exactExecutions + more, 6);
    const timedAfterWarmUp = clockReads / 2 - exactExecutions;
    expect(timedAfterWarmUp).toBeGreaterThan((more / 16) * 0.85);
    expect(timedAfterWarmUp).toBeLessThan((more / 16) * 1.15);
  });

  it('keeps every percentile within its documented error once sampled', async () => {
    const random = seededRandom(7);
    const latencies: number[] = [];
    // A long-tailed distribution (log-uniform from 0.1 ms to 10 s), as model calls have.
    const work = step('long-tail', () => {
      const latencyMs = 0.1 * 10 ** (5 * random());
      latencies.push(latencyMs);
      clock.advance(latencyMs);
    });
    const context = new WorkflowContext();
    for (let index = 0; index < 100_000; index++) await work.execute(context, undefined);
    const entry = metrics.snapshot()['long-tail']!;
    expect(entry.count).toBe(100_000);
    const timed = clockReads / 2;
    expect(timed).toBeLessThan(10_000);
    latencies.sort((a, b) => a - b);
    const valueAtRank = (quantile: number): number => latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(quantile * latencies.length) - 1))]!;
    for (const [quantile, estimate] of [[0.5, entry.p50Ms], [0.9, entry.p90Ms], [0.95, entry.p95Ms], [0.99, entry.p99Ms]] as const) {
      // The documented bound: the true value at a rank within 2 standard errors of the quantile
      // (sqrt(q (1 - q) / n), n the timed executions), widened by the histogram's 2.2 % buckets.
      const rankError = 2 * Math.sqrt((quantile * (1 - quantile)) / timed);
      expect(estimate).toBeGreaterThanOrEqual(valueAtRank(quantile - rankError) * (1 - 0.022));
      expect(estimate).toBeLessThanOrEqual(valueAtRank(quantile + rankError) * (1 + 0.022));
    }
    const trueMean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
    expect(Math.abs(entry.meanMs - trueMean) / trueMean).toBeLessThan(0.1);
  });

  it('times every execution with latencySampleInterval: 1', async () => {
    metrics.configure({ latencySampleInterval: 1 });
    const work = step('unsampled', (latencyMs: number) => (clock.advance(latencyMs), latencyMs));
    const context = new WorkflowContext();
    for (let index = 0; index < 3_000; index++) await work.execute(context, 2);
    expect(clockReads).toBe(2 * 3_000);
    expect(metrics.snapshot()['unsampled']).toMatchObject({ count: 3_000, totalMs: 6_000 });
  });

  it('times a wrapper and its inner step separately, each once per execution, through the one metered path', async () => {
    const inner = step('wrapped-step', (latencyMs: number) => (clock.advance(latencyMs), latencyMs));
    const wrapped = timeout(retry(inner, { name: 'wrapped-retry' }), { name: 'wrapped-timeout', timeoutMs: 1_000 });
    await wrapped.execute(new WorkflowContext(), 5);
    const snapshot = metrics.snapshot();
    for (const name of ['wrapped-step', 'wrapped-retry', 'wrapped-timeout']) expect(snapshot[name]).toMatchObject({ count: 1, successes: 1, maxMs: 5 });
  });

  it('applies a new latencySampleInterval at once to a name that is already sampled', async () => {
    metrics.configure({ latencySampleInterval: 1_000_000 });
    const work = step('resampled', (latencyMs: number) => (clock.advance(latencyMs), latencyMs));
    const context = new WorkflowContext();
    for (let index = 0; index <= exactExecutions; index++) await work.execute(context, 1);
    metrics.configure({ latencySampleInterval: 1 });
    clockReads = 0;
    for (let index = 0; index < 10; index++) await work.execute(context, 1);
    expect(clockReads).toBe(2 * 10);
  });

  it('refuses a latencySampleInterval that is not a whole number from 1 to 1,000,000', () => {
    for (const interval of [0, -1, 1.5, Number.NaN, Infinity, 2_000_000]) {
      expect(() => new PrimitiveMetrics({ latencySampleInterval: interval })).toThrow(InvalidOptionsError);
    }
    expect(() => metrics.configure({ latencySampleInterval: 0 })).toThrow(/latencySampleInterval/);
  });
});
