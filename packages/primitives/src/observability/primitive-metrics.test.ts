import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrimitiveMetrics, WorkflowContext, metrics, parallel, step } from '@tta/primitives';
import { systemClock } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';

describe('PrimitiveMetrics', () => {
  const clock = new ManualClock(0);
  beforeEach(() => {
    metrics.reset();
    metrics.configure({ clock, enabled: true });
  });
  afterEach(() => metrics.configure({ clock: systemClock, enabled: true }));

  const timed = (name: string) =>
    step(name, (latencyMs: number) => {
      clock.advance(latencyMs);
      return latencyMs;
    });

  it('counts executions by outcome and computes percentiles from known latencies', async () => {
    const work = timed('work');
    for (let latency = 1; latency <= 100; latency++) await work.execute(new WorkflowContext(), latency);
    const failing = step('fails', (): number => {
      clock.advance(7);
      throw new Error('x');
    });
    await expect(failing.execute(new WorkflowContext(), 0)).rejects.toThrow();
    const snapshot = metrics.snapshot();
    const entry = snapshot['work']!;
    expect(entry).toMatchObject({ kind: 'step', count: 100, successes: 100, failures: 0, minMs: 1, maxMs: 100, successRate: 1 });
    expect(entry.totalMs).toBe(5050);
    expect(entry.meanMs).toBeCloseTo(50.5, 10);
    for (const [value, expected] of [[entry.p50Ms, 50], [entry.p90Ms, 90], [entry.p95Ms, 95], [entry.p99Ms, 99]] as const) {
      expect(Math.abs(value - expected) / expected).toBeLessThan(0.03);
    }
    expect(snapshot['fails']).toMatchObject({ count: 1, successes: 0, failures: 1, minMs: 7, maxMs: 7, p50Ms: 7 });
  });

  it('times each step of a sequence from the step boundaries', async () => {
    const workflow = timed('s1').pipe(step('s2', (x: number) => (clock.advance(30), x)));
    await workflow.execute(new WorkflowContext(), 20);
    const snapshot = metrics.snapshot();
    expect(snapshot['s1']?.p50Ms).toBe(20);
    expect(snapshot['s2']?.p50Ms).toBe(30);
    expect(snapshot['sequential']?.p50Ms).toBe(50);
  });

  it('times parallel branches from the start of the fan-out', async () => {
    await parallel(timed('p1'), timed('p2')).execute(new WorkflowContext(), 10);
    const snapshot = metrics.snapshot();
    expect(snapshot['p1']?.count).toBe(1);
    expect(snapshot['p2']?.count).toBe(1);
    expect(snapshot['parallel']?.maxMs).toBe(20);
  });

  it('records nothing for a primitive created with instrument: false', async () => {
    await step('hidden', (x: number) => x, { instrument: false }).execute(new WorkflowContext(), 1);
    expect(metrics.snapshot()['hidden']).toBeUndefined();
  });

  it('records nothing while disabled, and reset zeroes the counters', async () => {
    const work = timed('toggle');
    metrics.configure({ enabled: false });
    await work.execute(new WorkflowContext(), 1);
    expect(metrics.snapshot()['toggle']).toBeUndefined();
    metrics.configure({ enabled: true });
    await work.execute(new WorkflowContext(), 1);
    expect(metrics.snapshot()['toggle']?.count).toBe(1);
    metrics.reset();
    expect(metrics.snapshot()).toEqual({});
  });

  it('can be used as a separate instance with its own clock', () => {
    const own = new PrimitiveMetrics({ clock });
    own.recordFor('x', 'step').success(3);
    expect(own.snapshot()['x']).toMatchObject({ count: 1, p99Ms: 3 });
  });
});

describe('PrimitiveMetrics name guard', () => {
  it('keeps at most maxNames entries and counts later names under (other)', () => {
    const own = new PrimitiveMetrics({ maxNames: 3 });
    for (let index = 0; index < 10; index++) own.recordFor(`name-${index}`, 'step').success(1);
    const snapshot = own.snapshot();
    expect(Object.keys(snapshot)).toEqual(['name-0', 'name-1', 'name-2', '(other)']);
    expect(snapshot['(other)']?.count).toBe(7);
    expect(() => new PrimitiveMetrics({ maxNames: 0 })).toThrow(/maxNames/);
  });
});

/** Heap in use after full collections (gc exposed at run time: the unit tests run without --expose-gc). */
function settledHeapBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let round = 0; round < 3; round++) gc();
  return process.memoryUsage().heapUsed;
}

/** A distinct flat string of `length` letters: a random 16-letter head, then filler (no digits or hex runs, so a cut of it reads like a name). */
function letters(length: number): string {
  const bytes = Buffer.alloc(length, 'g');
  for (let index = 0; index < 16; index++) bytes[index] = 103 + Math.floor(Math.random() * 20);
  return bytes.toString('latin1');
}

describe('PrimitiveMetrics name length', () => {
  it('keeps names up to 200 characters as they are and shortens longer ones to a bounded key that stays distinct', () => {
    const own = new PrimitiveMetrics();
    const exact = 'n'.repeat(200);
    const long = `${'p'.repeat(300)}-a`;
    const other = `${'p'.repeat(300)}-b`;
    own.recordFor(exact, 'step').success(1);
    own.recordFor(long, 'step').success(1);
    own.recordFor(long, 'step').success(1);
    own.recordFor(other, 'step').success(1);
    const snapshot = own.snapshot();
    expect(snapshot[exact]?.count).toBe(1);
    const shortened = Object.keys(snapshot).filter((key) => key !== exact);
    expect(shortened).toHaveLength(2);
    for (const key of shortened) {
      expect(key.length).toBeLessThanOrEqual(200);
      expect(key.startsWith('p'.repeat(180))).toBe(true);
    }
    expect(shortened.map((key) => snapshot[key]?.count).sort()).toEqual([1, 2]);
  });

  it('keeps heap growth under 4 MB when 2,000 distinct 100 KB names are recorded', () => {
    const own = new PrimitiveMetrics({ maxNames: 5_000 });
    const before = settledHeapBytes();
    for (let index = 0; index < 2_000; index++) own.recordFor(letters(100_000), 'step').success(1);
    const grown = settledHeapBytes() - before;
    expect(Object.keys(own.snapshot())).toHaveLength(2_000);
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  }, 30_000);

  it('does not keep a long string alive through a short name cut from it', () => {
    const own = new PrimitiveMetrics({ maxNames: 5_000 });
    const before = settledHeapBytes();
    for (let index = 0; index < 1_000; index++) own.recordFor(letters(100_000).slice(0, 40), 'step').success(1);
    expect(settledHeapBytes() - before).toBeLessThan(4 * 1024 * 1024);
  }, 30_000);
});
