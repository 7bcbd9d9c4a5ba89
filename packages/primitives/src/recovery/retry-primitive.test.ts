import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { WorkflowContext, step, InvalidOptionsError, TtaError } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock, MockPrimitive } from '@tta/primitives/testing';
import { RetryPrimitive, retry } from './retry-primitive.js';
import { computeBackoffDelay, type BackoffSettings } from './backoff.js';
import { BrokenCircuitError } from '../errors/broken-circuit-error.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';
import { turnsToSettle as countTurns } from '../core/test-support/microtask-turns.js';

afterEach(expectNoLeakedResources);

/** A step that fails `failures` times, recording the attempt number and the time of each call. */
function flaky(clock: ManualClock, failures: number, makeError: (call: number) => unknown = (call) => new Error(`failure ${call}`)) {
  const calls: { attempt: number | undefined; at: number }[] = [];
  const primitive = step('flaky', (input: string, context) => {
    calls.push({ attempt: context.attempt, at: clock.now() });
    if (calls.length <= failures) throw makeError(calls.length);
    return `${input}:ok`;
  });
  return { primitive, calls };
}

/** Delays between consecutive calls. */
const gaps = (calls: readonly { at: number }[]): number[] => calls.slice(1).map((call, index) => call.at - calls[index]!.at);

describe('RetryPrimitive', () => {
  it('retries until the third attempt succeeds and numbers attempts from 1 in context.attempt', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 2);
    const run = retry(primitive, { clock, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'job');
    await clock.tickAsync(1_000);
    await expect(run).resolves.toBe('job:ok');
    expect(calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
  });

  it('makes maxAttempts calls (default 4) and rethrows the last error itself with attempts set', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, Infinity);
    const giveUps: unknown[] = [];
    const primitiveRetry = retry(primitive, { clock, jitter: 'none' });
    primitiveRetry.onGiveUp((event) => giveUps.push(event));
    const run = primitiveRetry.execute(new WorkflowContext({ clock }), 'job');
    const settled = run.catch((error: unknown) => error);
    await clock.runAllAsync();
    const error = (await settled) as Error & { attempts: number };
    expect(calls).toHaveLength(4);
    expect(error.message).toBe('failure 4');
    expect(error.attempts).toBe(4);
    expect(giveUps).toEqual([expect.objectContaining({ attempts: 4, reason: 'exhausted', error })]);
  });

  it('waits exact exponential delays with jitter none: 100, 200, 400, capped at maxDelayMs', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 5);
    const run = retry(primitive, { clock, jitter: 'none', maxAttempts: 6, maxDelayMs: 500 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await expect(run).resolves.toBe('x:ok');
    expect(gaps(calls)).toEqual([100, 200, 400, 500, 500]);
  });

  it('uses the factor option for exponential growth', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 3);
    const run = retry(primitive, { clock, jitter: 'none', factor: 3, initialDelayMs: 10 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([10, 30, 90]);
  });

  it('waits exact linear delays with jitter none: 50, 100, 150', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 3);
    const run = retry(primitive, { clock, jitter: 'none', backoff: 'linear', initialDelayMs: 50 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([50, 100, 150]);
  });

  it('waits exact constant delays with jitter none', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 3);
    const run = retry(primitive, { clock, jitter: 'none', backoff: 'constant', initialDelayMs: 70 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([70, 70, 70]);
  });

  it('calls a custom backoff with (attempt, error, previousDelayMs) and uses its result without jitter', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 3);
    const backoff = vi.fn((attempt: number, _error: unknown, previous: number) => previous + attempt * 10);
    const run = retry(primitive, { clock, backoff, random: () => 0.5 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([10, 30, 60]);
    expect(backoff.mock.calls.map(([attempt, error, previous]) => [attempt, (error as Error).message, previous])).toEqual([
      [1, 'failure 1', 0],
      [2, 'failure 2', 10],
      [3, 'failure 3', 30],
    ]);
  });

  it('keeps full jitter within [0, curve] and follows the random source', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 3);
    const run = retry(primitive, { clock, jitter: 'full', random: () => 0.25 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([25, 50, 100]);
  });

  it('keeps decorrelated jitter (the default) between initialDelayMs and 3 x the previous delay', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 6);
    const run = retry(primitive, { clock, maxAttempts: 7, random: () => 0.999 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    const delays = gaps(calls);
    let previous = 100;
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(previous * 3);
      previous = delay;
    }
    expect(delays[0]).toBeGreaterThan(290);
  });

  it('starts no attempt once the caller aborts during a wait, and rejects with the abort reason at once', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, Infinity);
    const controller = new AbortController();
    const run = retry(primitive, { clock, jitter: 'none', initialDelayMs: 1_000 }).execute(new WorkflowContext({ clock, signal: controller.signal }), 'x');
    const settled = run.catch((error: unknown) => error);
    await clock.tickAsync(500);
    expect(calls).toHaveLength(1);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
    await clock.tickAsync(10_000);
    expect(calls).toHaveLength(1);
  });

  it('does not retry when the inner step fails because of the caller abort', async () => {
    const controller = new AbortController();
    const inner = step('aborting', () => {
      controller.abort(new Error('stop'));
      throw new Error('aborted inside');
    });
    const run = retry(inner).execute(new WorkflowContext({ signal: controller.signal }), 1);
    await expect(run).rejects.toThrow('stop');
  });

  it('honours retryAfterMs on an error when it is longer than the backoff', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 1, () => Object.assign(new Error('429'), { retryAfterMs: 5_000 }));
    const run = retry(primitive, { clock, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([5_000]);
  });

  it('bounds retryAfterMs by maxRetryAfterMs', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 2, () => Object.assign(new Error('429'), { retryAfterMs: 3_600_000 }));
    const run = retry(primitive, { clock, jitter: 'none', maxRetryAfterMs: 2_000 }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await run;
    expect(gaps(calls)).toEqual([2_000, 2_000]);
    const defaultBound = flaky(clock, 1, () => Object.assign(new Error('429'), { retryAfterMs: 3_600_000 }));
    const second = retry(defaultBound.primitive, { clock, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await second;
    expect(gaps(defaultBound.calls)).toEqual([60_000]);
  });

  it('does not retry by default: BrokenCircuitError, bulkhead rejections, validation errors, retryable: false', async () => {
    const errors = [
      new BrokenCircuitError('llm', 1_000),
      new TtaError('full', 'BULKHEAD_REJECTED'),
      new TtaError('bad', 'VALIDATION_FAILED'),
      Object.assign(new Error('fatal'), { retryable: false }),
    ];
    for (const error of errors) {
      const inner = new MockPrimitive<number, number>({ error });
      await expect(retry(inner).execute(new WorkflowContext(), 1)).rejects.toBe(error);
      expect(inner.callCount).toBe(1);
      expect((error as unknown as { attempts: number }).attempts).toBe(1);
    }
  });

  it('accepts an async retryOn and gives up when it says no', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, Infinity);
    const retryOn = vi.fn(async (_error: unknown, attempt: number) => attempt < 2);
    const run = retry(primitive, { clock, retryOn, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'x');
    const settled = run.catch((error: unknown) => error);
    await clock.runAllAsync();
    expect(((await settled) as Error).message).toBe('failure 2');
    expect(calls).toHaveLength(2);
    expect(retryOn.mock.calls.map(([, attempt]) => attempt)).toEqual([1, 2]);
  });

  it('retries forever with maxAttempts Infinity until success', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = flaky(clock, 20);
    const run = retry(primitive, { clock, maxAttempts: Infinity, backoff: 'constant', initialDelayMs: 1, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await expect(run).resolves.toBe('x:ok');
    expect(calls).toHaveLength(21);
  });

  it('reports onRetry and the retry / give-up events to the instrumentation seam', async () => {
    const clock = new ManualClock();
    const { primitive } = flaky(clock, Infinity);
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const primitiveRetry = retry(primitive, { clock, jitter: 'none', maxAttempts: 2 });
      const retries: number[] = [];
      primitiveRetry.onRetry((event) => retries.push(event.delayMs));
      const settled = primitiveRetry.execute(new WorkflowContext({ clock }), 'x').catch(() => undefined);
      await clock.runAllAsync();
      await settled;
      expect(retries).toEqual([100]);
      expect(seen.map((event) => event.type)).toEqual(['retry', 'give-up']);
      expect(seen[0]).toMatchObject({ attempt: 1, delayMs: 100 });
    } finally {
      registration.dispose();
    }
  });

  it('runs each attempt on a child context that shares the run\'s correlation id and state', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock, correlationId: 'run-1' });
    const seen: unknown[] = [];
    const inner = step('inner', (input: number, attemptContext) => {
      seen.push([attemptContext.correlationId, attemptContext.state === context.state, attemptContext === context]);
      return input;
    });
    await retry(inner, { clock }).execute(context, 1);
    expect(seen).toEqual([['run-1', true, false]]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses invalid options at construction', () => {
    const inner = new MockPrimitive<number, number>({ returnValue: 1 });
    expect(() => new RetryPrimitive(inner, { initialDelayMs: 500, maxDelayMs: 100 })).toThrow(InvalidOptionsError);
    expect(() => new RetryPrimitive(inner, { maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => new RetryPrimitive(inner, { maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => new RetryPrimitive(inner, { factor: 0.5 })).toThrow(/factor/);
    expect(() => new RetryPrimitive(inner, { jitter: 'some' as never })).toThrow(/jitter/);
    expect(() => new RetryPrimitive(inner, { backoff: 'cubic' as never })).toThrow(/backoff/);
    expect(() => new RetryPrimitive(inner, { maxDelayMs: Number.NaN })).toThrow(/maxDelayMs/);
    expect(() => new RetryPrimitive(inner, { maxAttempts: Infinity })).not.toThrow();
  });
});

describe('backoff delays (property)', () => {
  const settingsArbitrary = fc
    .record({
      backoff: fc.oneof(
        fc.constantFrom('exponential' as const, 'linear' as const, 'constant' as const),
        fc.constant((attempt: number, _error: unknown, previous: number) => previous * 7 - attempt * 1_000),
        fc.constant(() => Number.NaN),
        fc.constant(() => Infinity),
      ),
      initialDelayMs: fc.double({ min: 0, max: 100_000, noNaN: true }),
      extraMs: fc.double({ min: 0, max: 1_000_000, noNaN: true }),
      factor: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.constantFrom('decorrelated' as const, 'full' as const, 'none' as const),
      randomValue: fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom(-1, 1, 2, Number.NaN)),
    })
    .map(({ extraMs, randomValue, ...rest }): BackoffSettings => ({ ...rest, maxDelayMs: rest.initialDelayMs + extraMs, random: () => randomValue }));

  it('always lies within [0, maxDelayMs] for any attempt, options and previous delay', () => {
    fc.assert(
      fc.property(settingsArbitrary, fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1e9, noNaN: true }), (settings, attempt, previous) => {
        const delay = computeBackoffDelay(settings, attempt, new Error('x'), previous);
        return delay >= 0 && delay <= settings.maxDelayMs && !Number.isNaN(delay);
      }),
      { numRuns: 2_000 },
    );
  });

  it('stays within bounds along a whole sequence of retries fed its own previous delays', () => {
    fc.assert(
      fc.property(settingsArbitrary, fc.integer({ min: 1, max: 60 }), (settings, length) => {
        let previous = 0;
        for (let attempt = 1; attempt <= length; attempt++) {
          previous = computeBackoffDelay(settings, attempt, undefined, previous);
          if (!(previous >= 0 && previous <= settings.maxDelayMs)) return false;
        }
        return true;
      }),
    );
  });
});

describe('RetryPrimitive with the built-in metrics', () => {
  it('records each attempt of the inner step and the retry itself from shared clock reads', async () => {
    const { metrics, WorkflowContext: Context, retry: retryOf, step: stepOf } = await import('@tta/primitives');
    const { systemClock } = await import('@tta/primitives/instrumentation');
    const { ManualClock } = await import('@tta/primitives/testing');
    const clock = new ManualClock(0);
    metrics.reset();
    metrics.configure({ clock });
    try {
      let calls = 0;
      const flaky = stepOf('metered-flaky', () => {
        calls++;
        clock.advance(10);
        if (calls < 3) throw new Error(`failure ${calls}`);
        return 'ok';
      });
      const wrapped = retryOf(flaky, { maxAttempts: 3, initialDelayMs: 0, jitter: 'none', name: 'metered-retry' });
      await expect(wrapped.execute(new Context({ clock }), undefined)).resolves.toBe('ok');
      const snapshot = metrics.snapshot();
      expect(snapshot['metered-flaky']).toMatchObject({ count: 3, successes: 1, failures: 2, maxMs: 10, minMs: 10 });
      expect(snapshot['metered-retry']).toMatchObject({ count: 1, successes: 1, failures: 0, maxMs: 30 });

      const hopeless = retryOf(stepOf('metered-hopeless', (): string => { throw new Error('never'); }), { maxAttempts: 2, initialDelayMs: 0, jitter: 'none', name: 'metered-give-up' });
      await expect(hopeless.execute(new Context({ clock }), undefined)).rejects.toThrow('never');
      expect(metrics.snapshot()['metered-give-up']).toMatchObject({ count: 1, failures: 1 });
      expect(metrics.snapshot()['metered-hopeless']).toMatchObject({ count: 2, failures: 2 });
    } finally {
      metrics.configure({ clock: systemClock });
    }
  });

  it('counts a call without a promise hop of its own: metered, it settles as soon as unmetered', async () => {
    const { metrics, WorkflowContext: Context, retry: retryOf, step: stepOf } = await import('@tta/primitives');
    const turnsToSettle = (instrument: boolean): Promise<number> => {
      const wrapped = retryOf(stepOf('hop-attempt', async (value: number) => value + 1, { instrument: false }), { instrument, name: 'hop-retry' });
      return countTurns(wrapped.execute(new Context(), 1));
    };
    metrics.reset();
    const unmetered = await turnsToSettle(false);
    const metered = await turnsToSettle(true);
    expect(metered).toBe(unmetered);
    expect(metrics.snapshot()['hop-retry']).toMatchObject({ count: 1, successes: 1 });
  });
});

describe('RetryPrimitive against hostile errors and deaf attempts', () => {
  it("rethrows the user's error when its `retryable` or `retryAfterMs` getter throws", async () => {
    for (const key of ['retryable', 'retryAfterMs']) {
      const userError = Object.defineProperty(new Error('user failure'), key, {
        get(): never {
          throw new Error('getter exploded');
        },
      });
      const failing = retry(step('fails', () => Promise.reject(userError)), { maxAttempts: 2, initialDelayMs: 0 });
      await expect(failing.execute(WorkflowContext.create(), 1)).rejects.toBe(userError);
    }
  });

  it("rejects with the caller's reason when an attempt that ignores its signal resolves after the abort, metrics on or off", async () => {
    const { metrics } = await import('@tta/primitives');
    for (const enabled of [true, false]) {
      metrics.configure({ enabled });
      try {
        let finish!: () => void;
        const deaf = retry(step('deaf', (value: number) => new Promise<number>((resolve) => (finish = () => resolve(value)))));
        const controller = new AbortController();
        const outcome = deaf.execute(WorkflowContext.create({ signal: controller.signal }), 1).catch((error: unknown) => ({ rejected: error }));
        await Promise.resolve();
        controller.abort(new Error('caller gave up'));
        finish();
        expect(await outcome).toEqual({ rejected: controller.signal.reason });
      } finally {
        metrics.configure({ enabled: true });
      }
    }
  });
});

describe('retry with no delay between attempts', () => {
  it('lets the context deadline stop endless immediate retries of a step that fails at once', async () => {
    const started = performance.now();
    // The guard ends the run after 2 s if timers starve, so a regression fails instead of hanging.
    const robust = retry(step('fails at once', async () => Promise.reject(new Error('nope'))), {
      maxAttempts: Infinity,
      initialDelayMs: 0,
      maxDelayMs: 0,
      retryOn: () => performance.now() - started < 2_000,
    });
    const outcome = await robust.execute(new WorkflowContext({ timeoutMs: 50 }), 1).then(
      () => 'resolved',
      (error: unknown) => (error as Error).name,
    );
    expect(outcome).toBe('DeadlineExceededError');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
