// Checks every public name and every decision of the design document through the public entry
// points only ('@tta/primitives' and '@tta/primitives/testing'), one `it` per decision.
import { afterEach, describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  BulkheadPrimitive,
  BulkheadRejectedError,
  CachePrimitive,
  CircuitBreakerPrimitive,
  CompensationError,
  CompensationPrimitive,
  ConditionalPrimitive,
  DeadlineExceededError,
  FallbackExhaustedError,
  FallbackPrimitive,
  FilterRejectedError,
  InMemoryCacheStore,
  InMemoryCircuitStateStore,
  InstrumentedPrimitive,
  InvalidOptionsError,
  ParallelPrimitive,
  PrimitiveMetrics,
  RateLimitExceededError,
  RetryPrimitive,
  RouteNotFoundError,
  RouterPrimitive,
  TimeoutError,
  TimeoutPrimitive,
  TtaError,
  ValidationError,
  WorkflowContext,
  WorkflowPrimitive,
  bulkhead,
  cache,
  circuitBreaker,
  compensation,
  fallback,
  hedge,
  metrics,
  parallel,
  rateLimit,
  retry,
  step,
  timeout,
  type CacheEntry,
  type CacheStore,
  type CircuitSnapshot,
  type CircuitStateStore,
  type Disposable,
} from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { InjectedFaultError, ManualClock, MockPrimitive, withLatency } from '@tta/primitives/testing';
import { expectNoLeakedResources } from '../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Records the events that reach the instrumentation seam while `run` runs. */
async function seamEvents(run: () => Promise<unknown>): Promise<PrimitiveEvent[]> {
  const seen: PrimitiveEvent[] = [];
  const registration = registerInstrumentation({ onEvent: (event) => void seen.push(event) });
  try {
    await run();
  } finally {
    registration.dispose();
  }
  return seen;
}

/** A step that fails the first `failures` calls, then answers `ok`. */
function flaky(failures: number, makeError: (call: number) => unknown = (call) => new Error(`fail ${call}`)) {
  const seen: { attempt: number | undefined }[] = [];
  const primitive = step('flaky', (_input: string, context) => {
    seen.push({ attempt: context.attempt });
    if (seen.length <= failures) throw makeError(seen.length);
    return 'ok';
  });
  return { primitive, seen };
}

/** A step whose calls stay pending until the test settles them. */
function pendingCalls<TOutput = string>() {
  const calls: { resolve: (value: TOutput) => void; reject: (error: unknown) => void; signal: AbortSignal }[] = [];
  const primitive = step('pending', (_input: unknown, context) => new Promise<TOutput>((resolve, reject) => calls.push({ resolve, reject, signal: context.signal })));
  return { primitive, calls };
}

describe('design: retry', () => {
  it('maxAttempts counts calls and defaults to 4 (three retries)', async () => {
    const { primitive, seen } = flaky(10);
    const clock = new ManualClock();
    const run = retry(primitive, { clock, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'x').catch((error: unknown) => error);
    await clock.runAllAsync();
    await run;
    expect(seen).toHaveLength(4);
    expect(new RetryPrimitive(primitive).maxAttempts).toBe(4);
  });

  it('allows maxAttempts: Infinity and retries until success', async () => {
    const { primitive, seen } = flaky(7);
    await expect(retry(primitive, { maxAttempts: Infinity, initialDelayMs: 0, maxDelayMs: 0 }).execute(new WorkflowContext(), 'x')).resolves.toBe('ok');
    expect(seen).toHaveLength(8);
  });

  it('numbers attempts from 1 and shows the number to the inner step as context.attempt', async () => {
    const { primitive, seen } = flaky(2);
    await retry(primitive, { initialDelayMs: 0, maxDelayMs: 0 }).execute(new WorkflowContext(), 'x');
    expect(seen.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
  });

  it('grows exponential delays by a factor of 2 by default, capped at maxDelayMs', async () => {
    const { primitive } = flaky(5);
    const clock = new ManualClock();
    const primitiveUnderTest = retry(primitive, { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 1_000, jitter: 'none', clock });
    const delays: number[] = [];
    primitiveUnderTest.onRetry(({ delayMs }) => delays.push(delayMs));
    const run = primitiveUnderTest.execute(new WorkflowContext({ clock }), 'x');
    await clock.runAllAsync();
    await expect(run).resolves.toBe('ok');
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('honours a custom factor and the linear and constant curves', async () => {
    const delaysOf = async (options: Parameters<typeof retry>[1]): Promise<number[]> => {
      const clock = new ManualClock();
      const retried = retry(flaky(3).primitive, { ...options, jitter: 'none', clock });
      const delays: number[] = [];
      retried.onRetry(({ delayMs }) => delays.push(delayMs));
      const run = retried.execute(new WorkflowContext({ clock }), 'x');
      await clock.runAllAsync();
      await run;
      return delays;
    };
    expect(await delaysOf({ initialDelayMs: 10, factor: 3 })).toEqual([10, 30, 90]);
    expect(await delaysOf({ initialDelayMs: 10, backoff: 'linear' })).toEqual([10, 20, 30]);
    expect(await delaysOf({ initialDelayMs: 10, backoff: 'constant' })).toEqual([10, 10, 10]);
  });

  it('calls a custom backoff as (attempt, error, previousDelayMs) and waits what it returns', async () => {
    const { primitive } = flaky(3);
    const clock = new ManualClock();
    const seen: [number, string, number][] = [];
    const retried = retry(primitive, {
      clock,
      backoff: (attempt, error, previousDelayMs) => {
        seen.push([attempt, (error as Error).message, previousDelayMs]);
        return previousDelayMs + 7;
      },
    });
    const run = retried.execute(new WorkflowContext({ clock }), 'x');
    await clock.tickAsync(6);
    expect(seen).toHaveLength(1);
    await clock.tickAsync(1);
    expect(seen).toHaveLength(2);
    await clock.runAllAsync();
    await expect(run).resolves.toBe('ok');
    expect(seen).toEqual([
      [1, 'fail 1', 0],
      [2, 'fail 2', 7],
      [3, 'fail 3', 14],
    ]);
  });

  it('refuses initialDelayMs above maxDelayMs at construction', () => {
    expect(() => retry(step('s', () => 1), { initialDelayMs: 2_000, maxDelayMs: 1_000 })).toThrow(InvalidOptionsError);
  });

  it('accepts an async retryOn, called with (error, attempt)', async () => {
    const { primitive, seen } = flaky(5);
    const calls: [string, number][] = [];
    const retried = retry(primitive, {
      initialDelayMs: 0,
      maxDelayMs: 0,
      retryOn: async (error, attempt) => {
        calls.push([(error as Error).message, attempt]);
        return attempt < 2;
      },
    });
    await expect(retried.execute(new WorkflowContext(), 'x')).rejects.toThrow('fail 2');
    expect(seen).toHaveLength(2);
    expect(calls).toEqual([
      ['fail 1', 1],
      ['fail 2', 2],
    ]);
  });

  it('by default does not retry BrokenCircuitError, BulkheadRejectedError, ValidationError or retryable: false', async () => {
    const errors: unknown[] = [
      new BrokenCircuitError('b', 1_000),
      new BulkheadRejectedError('b', 1, 0),
      new ValidationError([{ message: 'bad', path: [] }]),
      Object.assign(new Error('permanent'), { retryable: false }),
    ];
    for (const error of errors) {
      const { primitive, seen } = flaky(1, () => error);
      await expect(retry(primitive, { initialDelayMs: 0, maxDelayMs: 0 }).execute(new WorkflowContext(), 'x')).rejects.toBe(error);
      expect(seen).toHaveLength(1);
    }
  });

  it('by default retries every other error, including non-Error values', async () => {
    const { primitive, seen } = flaky(2, () => 'a string');
    await expect(retry(primitive, { initialDelayMs: 0, maxDelayMs: 0 }).execute(new WorkflowContext(), 'x')).resolves.toBe('ok');
    expect(seen).toHaveLength(3);
  });

  it('on give-up throws the last error itself, with attempts set on it', async () => {
    const { primitive } = flaky(10);
    const error = (await retry(primitive, { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 })
      .execute(new WorkflowContext(), 'x')
      .catch((rejection: unknown) => rejection)) as Error & { attempts: number };
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('fail 3');
    expect(error.attempts).toBe(3);
  });

  it('after an abort during the wait rejects with the signal reason and starts no further attempt', async () => {
    const { primitive, seen } = flaky(10);
    const clock = new ManualClock();
    const controller = new AbortController();
    const run = retry(primitive, { clock, initialDelayMs: 1_000, jitter: 'none' }).execute(new WorkflowContext({ clock, signal: controller.signal }), 'x');
    await clock.tickAsync(10);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    await clock.runAllAsync();
    expect(seen).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not retry the caller abort, even when retryOn would', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    let calls = 0;
    const inner = step('aborting', () => {
      calls++;
      controller.abort(reason);
      throw new Error('inner saw the abort');
    });
    await expect(retry(inner, { retryOn: () => true, initialDelayMs: 0, maxDelayMs: 0 }).execute(new WorkflowContext({ signal: controller.signal }), 'x')).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  it('honours retryAfterMs on an error', async () => {
    const { primitive } = flaky(1, () => Object.assign(new Error('429'), { retryAfterMs: 5_000 }));
    const clock = new ManualClock();
    const run = retry(primitive, { clock, initialDelayMs: 10, jitter: 'none' }).execute(new WorkflowContext({ clock }), 'x');
    let settled = false;
    void run.then(() => (settled = true));
    await clock.tickAsync(4_999);
    expect(settled).toBe(false);
    await clock.tickAsync(1);
    await expect(run).resolves.toBe('ok');
  });

  it('emits onRetry before each wait and onGiveUp when it stops, both also on the instrumentation seam', async () => {
    const { primitive } = flaky(10);
    const retried = retry(primitive, { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 });
    const local: string[] = [];
    retried.onRetry(({ attempt }) => local.push(`retry ${attempt}`));
    retried.onGiveUp(({ attempts }) => local.push(`give-up ${attempts}`));
    const seen = await seamEvents(() => retried.execute(new WorkflowContext(), 'x').catch(() => undefined));
    expect(local).toEqual(['retry 1', 'give-up 2']);
    const left: number[] = [];
    const counted = retry(flaky(10).primitive, { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 });
    counted.onRetry(({ retriesLeft }) => left.push(retriesLeft));
    await counted.execute(new WorkflowContext(), 'x').catch(() => undefined);
    expect(left).toEqual([2, 1]);
    expect(seen.map((event) => event.type)).toEqual(['retry', 'give-up']);
  });
});

describe('design: fallback', () => {
  it('tries each fallback in order on the same input', async () => {
    const order: string[] = [];
    const failing = (name: string) => step(name, (input: string): string => {
      order.push(`${name}:${input}`);
      throw new Error(name);
    });
    const result = await fallback(failing('primary'), [failing('first'), step('second', (input: string) => `second:${input}`)]).execute(new WorkflowContext(), 'q');
    expect(result).toBe('second:q');
    expect(order).toEqual(['primary:q', 'first:q']);
  });

  it('rethrows the original error unwrapped when fallbackOn says no', async () => {
    const original = new Error('auth');
    const backup = new MockPrimitive<string, string>({ returnValue: 'backup' });
    const primitive = new FallbackPrimitive(step('p', (_input: string): string => {
      throw original;
    }), { fallbacks: [backup], fallbackOn: (error) => (error as Error).message !== 'auth' });
    await expect(primitive.execute(new WorkflowContext(), 'x')).rejects.toBe(original);
    expect(backup.callCount).toBe(0);
  });

  it('when all fail throws FallbackExhaustedError, an AggregateError keeping every cause in order', async () => {
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const [first, second, third] = errors.map((error, index) => step(`s${index}`, (): string => {
      throw error;
    }));
    const rejection = await fallback(first!, [second!, third!]).execute(new WorkflowContext(), 'x').catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(FallbackExhaustedError);
    expect(rejection).toBeInstanceOf(AggregateError);
    expect(rejection).toBeInstanceOf(Error);
    expect(FallbackExhaustedError.isInstance(rejection)).toBe(true);
    expect(TtaError.isInstance(rejection)).toBe(true);
    const exhausted = rejection as FallbackExhaustedError;
    expect(exhausted.errors).toEqual(errors);
    expect(exhausted.errors[0]).toBe(errors[0]);
    expect(exhausted.code).toBe('FALLBACK_EXHAUSTED');
    expect(exhausted.message).not.toBe('');
    expect(exhausted.name).toBe('FallbackExhaustedError');
  });

  it('emits onFallback, also on the instrumentation seam', async () => {
    const primitive = fallback(step('p', (): string => {
      throw new Error('p');
    }), [step('b', () => 'b')]);
    const local: number[] = [];
    primitive.onFallback(({ index }) => local.push(index));
    const seen = await seamEvents(() => primitive.execute(new WorkflowContext(), 'x'));
    expect(local).toEqual([0]);
    expect(seen.map((event) => event.type)).toContain('fallback');
  });
});

describe('design: timeout', () => {
  it('rejects with TimeoutError at the deadline and aborts the inner signal then', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = pendingCalls();
    const run = timeout(primitive, { timeoutMs: 100, clock }).execute(new WorkflowContext({ clock }), 'x');
    const outcome = run.catch((error: unknown) => error);
    await flush();
    const signal = calls[0]!.signal;
    await clock.tickAsync(99);
    expect(signal.aborted).toBe(false);
    await clock.tickAsync(1);
    expect(signal.aborted).toBe(true);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).code).toBe('TIMEOUT');
    expect(TimeoutError.isInstance(signal.reason)).toBe(true);
  });

  it('after success clears its timer and never aborts the inner signal', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = pendingCalls();
    const run = timeout(primitive, { timeoutMs: 100, clock }).execute(new WorkflowContext({ clock }), 'x');
    await flush();
    calls[0]!.resolve('done');
    await expect(run).resolves.toBe('done');
    expect(clock.pendingTimers).toBe(0);
    await clock.tickAsync(1_000);
    expect(calls[0]!.signal.aborted).toBe(false);
  });

  it('keeps the caller abort distinguishable: the rejection is the caller reason, not a TimeoutError', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const { primitive, calls } = pendingCalls();
    const primitiveUnderTest = timeout(primitive, { timeoutMs: 100, clock });
    const timeouts: unknown[] = [];
    primitiveUnderTest.onTimeout((event) => timeouts.push(event));
    const run = primitiveUnderTest.execute(new WorkflowContext({ clock, signal: controller.signal }), 'x');
    await flush();
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(calls[0]!.signal.reason).toBe(reason);
    await clock.tickAsync(200);
    expect(timeouts).toEqual([]);
  });

  it('runs the fallback primitive on timeout when given one', async () => {
    const clock = new ManualClock();
    const { primitive } = pendingCalls();
    const run = new TimeoutPrimitive(primitive, { timeoutMs: 50, fallback: step('canned', () => 'canned'), clock }).execute(new WorkflowContext({ clock }), 'x');
    await clock.tickAsync(50);
    await expect(run).resolves.toBe('canned');
  });

  it('emits onTimeout, also on the instrumentation seam', async () => {
    const clock = new ManualClock();
    const { primitive } = pendingCalls();
    const primitiveUnderTest = timeout(primitive, { timeoutMs: 10, clock });
    const local: number[] = [];
    primitiveUnderTest.onTimeout(({ timeoutMs }) => local.push(timeoutMs));
    const seen = await seamEvents(async () => {
      const run = primitiveUnderTest.execute(new WorkflowContext({ clock }), 'x').catch(() => undefined);
      await clock.tickAsync(10);
      await run;
    });
    expect(local).toEqual([10]);
    expect(seen.map((event) => event.type)).toContain('timeout');
  });

  it('gives retries a total time budget as timeout(retry(...))', async () => {
    const clock = new ManualClock();
    const { primitive, seen } = flaky(100);
    const run = timeout(retry(primitive, { maxAttempts: Infinity, initialDelayMs: 100, jitter: 'none', backoff: 'constant' }), { timeoutMs: 250 })
      .execute(new WorkflowContext({ clock }), 'x')
      .catch((error: unknown) => error);
    await clock.tickAsync(1_000);
    expect(await run).toBeInstanceOf(TimeoutError);
    expect(seen).toHaveLength(3);
    await clock.runAllAsync();
    expect(seen).toHaveLength(3);
  });
});

describe('design: circuit breaker', () => {
  function switchable() {
    const state = { down: true, calls: 0 };
    const primitive = step('svc', (input: string) => {
      state.calls++;
      if (state.down) throw new Error('down');
      return `ok:${input}`;
    });
    return { primitive, state };
  }
  const fail = (breaker: CircuitBreakerPrimitive<string, string>, context: WorkflowContext, times: number) =>
    Array.from({ length: times }).reduce<Promise<unknown>>((previous) => previous.then(() => breaker.execute(context, 'x').catch((error: unknown) => error)), Promise.resolve());

  it("has the states 'closed' | 'open' | 'half-open' and reads 'half-open' once the break is over", async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 2, breakDurationMs: 1_000, clock });
    const halfOpen: unknown[] = [];
    breaker.onHalfOpen(() => halfOpen.push(true));
    expect(breaker.state).toBe('closed');
    await fail(breaker, context, 2);
    expect(breaker.state).toBe('open');
    clock.advance(999);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(halfOpen).toHaveLength(1);
    service.state.down = false;
    await expect(breaker.execute(context, 'x')).resolves.toBe('ok:x');
    expect(breaker.state).toBe('closed');
    expect(halfOpen).toHaveLength(1);
  });

  it('rejects with BrokenCircuitError carrying retryAfterMs (and the failure that opened it) while open', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 1_000, clock });
    await fail(breaker, context, 1);
    clock.advance(250);
    const error = await breaker.execute(context, 'x').catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect((error as BrokenCircuitError).retryAfterMs).toBe(750);
    expect((error as BrokenCircuitError).code).toBe('CIRCUIT_OPEN');
    expect(((error as BrokenCircuitError).cause as Error).message).toBe('down');
    expect(service.state.calls).toBe(1);
  });

  it('emits onBreak, onHalfOpen and onReset, and the same events reach the instrumentation seam', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 10, clock });
    const local: string[] = [];
    breaker.onBreak(() => local.push('break'));
    breaker.onHalfOpen(() => local.push('half-open'));
    breaker.onReset(() => local.push('reset'));
    const seen = await seamEvents(async () => {
      await fail(breaker, context, 1);
      clock.advance(10);
      service.state.down = false;
      await breaker.execute(context, 'x');
    });
    expect(local).toEqual(['break', 'half-open', 'reset']);
    expect(seen.map((event) => event.type)).toEqual(['circuit-break', 'circuit-half-open', 'circuit-reset']);
  });

  it('isolate() holds it open until reset() (or until the isolation handle is disposed)', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const inner = new MockPrimitive<string, string>({ returnValue: 'fine' });
    const breaker = circuitBreaker(inner, { breakDurationMs: 10, clock });
    breaker.isolate();
    expect(breaker.state).toBe('open');
    clock.advance(1_000_000);
    expect(breaker.state).toBe('open');
    const error = (await breaker.execute(context, 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect(BrokenCircuitError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(Infinity);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(context, 'x')).resolves.toBe('fine');
    const handle = breaker.isolate();
    expect(breaker.state).toBe('open');
    handle.dispose();
    expect(breaker.state).toBe('closed');
  });

  it('counts only the errors breakOn accepts; the caller abort never counts', async () => {
    const clock = new ManualClock();
    const transient = new Error('503');
    const permanent = new Error('400');
    let next: Error = permanent;
    const inner = step('svc', (): string => {
      throw next;
    });
    const breaker = circuitBreaker(inner, { failureThreshold: 2, clock, breakOn: (error) => error === transient });
    const context = new WorkflowContext({ clock });
    await fail(breaker, context, 5);
    expect(breaker.state).toBe('closed');
    next = transient;
    await fail(breaker, context, 2);
    expect(breaker.state).toBe('open');

    const controller = new AbortController();
    const aborting = step('aborting', (): string => {
      controller.abort(new Error('left'));
      throw new Error('aborted work');
    });
    const other = circuitBreaker(aborting, { failureThreshold: 1, clock });
    await other.execute(new WorkflowContext({ clock, signal: controller.signal }), 'x').catch(() => undefined);
    expect(other.state).toBe('closed');
  });

  it('counts a call aborted before it runs as nothing', async () => {
    const clock = new ManualClock();
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, clock });
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(breaker.execute(new WorkflowContext({ clock, signal: controller.signal }), 'x')).rejects.toThrow('already');
    expect(service.state.calls).toBe(0);
    expect(breaker.state).toBe('closed');
  });

  it('in ratio mode trips when failures / calls >= failureRatio and calls >= minimumThroughput within windowMs', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureRatio: 0.5, minimumThroughput: 4, windowMs: 1_000, clock });
    await fail(breaker, context, 3);
    expect(breaker.state).toBe('closed'); // 3 calls: below the throughput
    clock.advance(1_000);
    await fail(breaker, context, 1);
    expect(breaker.state).toBe('closed'); // the three failures left the window: 1 call
    service.state.down = false;
    await breaker.execute(context, 'x');
    service.state.down = true;
    await fail(breaker, context, 1);
    expect(breaker.state).toBe('closed'); // 2 / 3: below the throughput
    service.state.down = false;
    await breaker.execute(context, 'x');
    expect(breaker.state).toBe('closed'); // successes never trip
    service.state.down = true;
    await fail(breaker, context, 1);
    expect(breaker.state).toBe('open'); // 3 / 5 >= 0.5 and 5 >= 4
  });

  it('admits halfOpenMaxCalls probes (default 1), rejects the rest, and closes after halfOpenSuccessThreshold successes (default 1)', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    let down = true;
    const { primitive, calls } = pendingCalls<string>();
    const inner = step('svc', (input: string, ctx) => (down ? Promise.reject(new Error('down')) : primitive.execute(ctx, input)));
    const breaker = circuitBreaker(inner, { failureThreshold: 1, breakDurationMs: 100, clock });
    await breaker.execute(context, 'x').catch(() => undefined);
    clock.advance(100);
    down = false;
    const probe = breaker.execute(context, 'x');
    const second = await breaker.execute(context, 'x').catch((error: unknown) => error);
    expect(BrokenCircuitError.isInstance(second)).toBe(true);
    await flush();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('probe ok');
    await expect(probe).resolves.toBe('probe ok');
    expect(breaker.state).toBe('closed');
  });

  it('reopens on any probe failure', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 100, halfOpenMaxCalls: 3, halfOpenSuccessThreshold: 3, clock });
    await fail(breaker, context, 1);
    clock.advance(100);
    service.state.down = false;
    await breaker.execute(context, 'x');
    expect(breaker.state).toBe('half-open');
    service.state.down = true;
    await fail(breaker, context, 1);
    expect(breaker.state).toBe('open');
  });

  it('closing resets the counts', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 3, breakDurationMs: 100, clock });
    await fail(breaker, context, 2);
    breaker.reset();
    await fail(breaker, context, 2);
    expect(breaker.state).toBe('closed');
  });

  it('saves its state through a CircuitStateStore (load/save) and a new breaker restores it', async () => {
    const clock = new ManualClock(10_000);
    const saved = new Map<string, CircuitSnapshot>();
    const store: CircuitStateStore = {
      specificationVersion: 1,
      load: (key) => Promise.resolve(saved.get(key)),
      save: (key, snapshot) => {
        saved.set(key, snapshot);
        return Promise.resolve();
      },
    };
    const first = circuitBreaker(switchable().primitive, { failureThreshold: 1, breakDurationMs: 5_000, store, key: 'svc', clock });
    await first.execute(new WorkflowContext({ clock }), 'x').catch(() => undefined);
    await first.whenSaved();
    expect(saved.get('svc')?.state).toBe('open');
    const service = switchable();
    const second = new CircuitBreakerPrimitive(service.primitive, { failureThreshold: 1, breakDurationMs: 5_000, store, key: 'svc', clock });
    const error = await second.execute(new WorkflowContext({ clock }), 'x').catch((rejection: unknown) => rejection);
    expect(BrokenCircuitError.isInstance(error)).toBe(true);
    expect(service.state.calls).toBe(0);
    expect(new InMemoryCircuitStateStore()).toHaveProperty('load');
  });
});

describe('design: saga', () => {
  it('new CompensationPrimitive({ steps: [{ step, undo }] }) chains outputs and undoes in reverse order with { input, output }', async () => {
    const undone: unknown[] = [];
    const saga = new CompensationPrimitive({
      steps: [
        { step: step('reserve', (seat: string) => `reserved:${seat}`), undo: step('release', (entry: { input: string; output: string }) => void undone.push(['release', entry])) },
        { step: step('charge', (reservation: string) => `charged:${reservation}`), undo: step('refund', (entry: { input: string; output: string }) => void undone.push(['refund', entry])) },
        {
          step: step('email', (_charge: string): string => {
            throw new Error('smtp down');
          }),
          undo: step('noop', () => undefined),
        },
      ],
    });
    await expect(saga.execute(new WorkflowContext(), '12A')).rejects.toThrow('smtp down');
    expect(undone).toEqual([
      ['refund', { input: 'reserved:12A', output: 'charged:reserved:12A' }],
      ['release', { input: '12A', output: 'reserved:12A' }],
    ]);
  });

  it('reports undo failures in a CompensationError with the original error, never swallowed', async () => {
    const original = new Error('step failed');
    const undoFailure = new Error('undo failed');
    const saga = compensation({
      steps: [
        { step: step('a', (input: number) => input + 1), undo: step('undo-a', (): void => {
          throw undoFailure;
        }) },
        { step: step('b', (_input: number): number => {
          throw original;
        }), undo: step('undo-b', () => undefined) },
      ],
    });
    const error = (await saga.execute(new WorkflowContext(), 1).catch((rejection: unknown) => rejection)) as CompensationError;
    expect(CompensationError.isInstance(error)).toBe(true);
    expect(error.originalError).toBe(original);
    expect(error.cause).toBe(original);
    expect(error.undoErrors).toEqual([undoFailure]);
  });

  it('compensates on timeout too', async () => {
    const clock = new ManualClock();
    const undone: string[] = [];
    const saga = compensation({
      steps: [
        { step: step('a', (input: string) => `${input}a`), undo: step('undo-a', () => void undone.push('a')) },
        { step: pendingCalls().primitive, undo: step('undo-b', () => void undone.push('b')) },
      ],
    });
    const run = timeout(saga, { timeoutMs: 100, clock }).execute(new WorkflowContext({ clock }), 'x').catch((error: unknown) => error);
    await clock.tickAsync(100);
    expect(await run).toBeInstanceOf(TimeoutError);
    await flush();
    expect(undone).toEqual(['a']);
  });
});

describe('design: cache', () => {
  it('accepts key, ttlMs, maxEntries, staleWhileRevalidateMs and reports stats()', async () => {
    const clock = new ManualClock();
    const inner = new MockPrimitive<{ id: number }, string>({ implementation: (input) => `v${input.id}` });
    const cached = cache(inner, { key: (input, context) => `${context.data['tenant'] as string}:${input.id}`, ttlMs: 100, maxEntries: 2, staleWhileRevalidateMs: 0, clock });
    const context = new WorkflowContext({ clock, data: { tenant: 't' } });
    await cached.execute(context, { id: 1 });
    await cached.execute(context, { id: 1 });
    expect(inner.callCount).toBe(1);
    clock.advance(100);
    await cached.execute(context, { id: 1 });
    expect(inner.callCount).toBe(2);
    const stats = cached.stats();
    expect(stats).toMatchObject({ hits: 1, misses: 2 });
    expect(stats.hitRatio).toBeCloseTo(1 / 3);
  });

  it('evicts the least recently used entry beyond maxEntries, with onEvict', async () => {
    const inner = new MockPrimitive<string, string>({ implementation: (input) => input.toUpperCase() });
    const cached = new CachePrimitive(inner, { maxEntries: 2 });
    const evicted: string[] = [];
    cached.onEvict(({ key }) => evicted.push(key));
    const context = new WorkflowContext();
    await cached.execute(context, 'a');
    await cached.execute(context, 'b');
    await cached.execute(context, 'a');
    await cached.execute(context, 'c');
    expect(evicted).toEqual(['b']);
    expect(cached.stats().size).toBe(2);
    expect(cached.stats().evictions).toBe(1);
  });

  it('emits onHit and onMiss, also on the instrumentation seam (with evictions)', async () => {
    const cached = cache(step('id', (input: string) => input), { maxEntries: 1 });
    const local: string[] = [];
    cached.onHit(({ key }) => local.push(`hit ${key}`));
    cached.onMiss(({ key }) => local.push(`miss ${key}`));
    const context = new WorkflowContext();
    const seen = await seamEvents(async () => {
      await cached.execute(context, 'a');
      await cached.execute(context, 'a');
      await cached.execute(context, 'b');
    });
    expect(local).toEqual(['miss a', 'hit a', 'miss b']);
    expect(seen.map((event) => event.type)).toEqual(['cache-miss', 'cache-hit', 'cache-miss', 'cache-evict']);
  });

  it('runs the inner primitive once for concurrent misses of one key (single-flight), and never caches errors', async () => {
    const { primitive, calls } = pendingCalls<string>();
    const cached = cache(primitive);
    const context = new WorkflowContext();
    const runs = Array.from({ length: 50 }, () => cached.execute(context, 'same'));
    await flush();
    expect(calls).toHaveLength(1);
    calls[0]!.reject(new Error('boom'));
    for (const run of runs) await expect(run).rejects.toThrow('boom');
    const again = cached.execute(context, 'same');
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('fine');
    await expect(again).resolves.toBe('fine');
  });

  it('serves a stale value once expired within staleWhileRevalidateMs and refreshes in the background', async () => {
    const clock = new ManualClock();
    let version = 0;
    const cached = cache(step('v', () => `v${++version}`), { ttlMs: 100, staleWhileRevalidateMs: 100, clock });
    const context = new WorkflowContext({ clock });
    expect(await cached.execute(context, 'k')).toBe('v1');
    clock.advance(150);
    expect(await cached.execute(context, 'k')).toBe('v1');
    await flush();
    expect(await cached.execute(context, 'k')).toBe('v2');
  });

  it('uses any store with async get/set/delete', async () => {
    const entries = new Map<string, CacheEntry<string>>();
    const store: CacheStore<string> = {
      specificationVersion: 1,
      get: (key) => Promise.resolve(entries.get(key)),
      set: (key, entry) => {
        entries.set(key, entry);
        return Promise.resolve();
      },
      delete: (key) => Promise.resolve(entries.delete(key)),
    };
    const inner = new MockPrimitive<string, string>({ returnValue: 'value' });
    const cached = cache(inner, { store, ttlMs: 1_000 });
    await cached.execute(new WorkflowContext(), 'k');
    await cached.execute(new WorkflowContext(), 'k');
    expect(inner.callCount).toBe(1);
    expect([...entries.keys()]).toHaveLength(1);
    expect(new InMemoryCacheStore()).toHaveProperty('get');
  });
});

describe('design: bulkhead', () => {
  it('runs at most maxConcurrent at once, queues up to maxQueue, rejects the rest with onReject', async () => {
    const { primitive, calls } = pendingCalls<string>();
    const limited = new BulkheadPrimitive(primitive, { maxConcurrent: 2, maxQueue: 1 });
    const rejects: unknown[] = [];
    limited.onReject((event) => rejects.push(event));
    const context = new WorkflowContext();
    const seen = await seamEvents(async () => {
      const runs = [1, 2, 3].map(() => limited.execute(context, 'x'));
      const fourth = await limited.execute(context, 'x').catch((error: unknown) => error);
      expect(BulkheadRejectedError.isInstance(fourth)).toBe(true);
      expect((fourth as BulkheadRejectedError).code).toBe('BULKHEAD_REJECTED');
      await flush();
      expect(calls).toHaveLength(2);
      calls[0]!.resolve('a');
      await flush();
      expect(calls).toHaveLength(3);
      calls[1]!.resolve('b');
      calls[2]!.resolve('c');
      await expect(Promise.all(runs)).resolves.toEqual(['a', 'b', 'c']);
    });
    expect(rejects).toHaveLength(1);
    expect(seen.map((event) => event.type)).toContain('reject');
  });

  it('lets a queued call whose signal aborts leave the queue at once with the signal reason', async () => {
    const { primitive, calls } = pendingCalls<string>();
    const limited = bulkhead(primitive, { maxConcurrent: 1, maxQueue: 1 });
    const running = limited.execute(new WorkflowContext(), 'x');
    const controller = new AbortController();
    const queued = limited.execute(new WorkflowContext({ signal: controller.signal }), 'y');
    const reason = new Error('gave up waiting');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(limited.queued).toBe(0);
    const next = limited.execute(new WorkflowContext(), 'z');
    calls[0]!.resolve('first');
    await expect(running).resolves.toBe('first');
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('z');
    await expect(next).resolves.toBe('z');
  });
});

describe('design: rate limit', () => {
  it('rejects over the limit in reject mode with onReject and RateLimitExceededError', async () => {
    const clock = new ManualClock();
    const limited = rateLimit(step('s', () => 'ok'), { tokensPerInterval: 1, intervalMs: 1_000, mode: 'reject', clock });
    const rejects: unknown[] = [];
    limited.onReject((event) => rejects.push(event));
    const context = new WorkflowContext({ clock });
    await limited.execute(context, 'x');
    const seen = await seamEvents(async () => {
      const error = await limited.execute(context, 'x').catch((rejection: unknown) => rejection);
      expect(RateLimitExceededError.isInstance(error)).toBe(true);
    });
    expect(rejects).toHaveLength(1);
    expect(seen.map((event) => event.type)).toContain('reject');
  });
});

describe('design: composition and callbacks', () => {
  it('parallel(...) is fail-fast by default and aborts the other branches', async () => {
    const { primitive, calls } = pendingCalls<string>();
    const failing = step('fails', async (): Promise<string> => {
      await flush();
      throw new Error('branch failed');
    });
    const run = parallel(primitive, failing).execute(new WorkflowContext(), 'x');
    await expect(run).rejects.toThrow('branch failed');
    expect(calls[0]!.signal.aborted).toBe(true);
  });

  it('parallel takes a tuple or a record; options go to new ParallelPrimitive(branches, { concurrency, mode })', async () => {
    expect(await parallel(step('a', () => 1), step('b', () => 'two')).execute(new WorkflowContext(), 0)).toEqual([1, 'two']);
    expect(await parallel({ x: step('a', () => 1), y: step('b', () => 2) }).execute(new WorkflowContext(), 0)).toEqual({ x: 1, y: 2 });
    let running = 0;
    let most = 0;
    const slow = step('slow', async () => {
      running++;
      most = Math.max(most, running);
      await flush();
      running--;
      return 'ok';
    });
    const failing = step('fails', (): string => {
      throw new Error('x');
    });
    const settled = await new ParallelPrimitive([slow, failing, slow, slow], { concurrency: 2, mode: 'settle' }).execute(new WorkflowContext(), 0);
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(most).toBeLessThanOrEqual(2);
    const record = await new ParallelPrimitive({ a: slow, b: slow }, { concurrency: 1 }).execute(new WorkflowContext(), 0);
    expect(record).toEqual({ a: 'ok', b: 'ok' });
  });

  it('every callback takes the input first and the context second: step, condition, selector, cache key', async () => {
    const context = new WorkflowContext({ data: { who: 'ctx' } });
    const seen: string[] = [];
    const record = (label: string) => (input: string, ctx: WorkflowContext) => {
      seen.push(`${label}:${input}:${ctx.data['who'] as string}`);
    };
    const echo = step('echo', (input: string, ctx) => {
      record('step')(input, ctx);
      return input;
    });
    await new ConditionalPrimitive({ condition: async (input: string, ctx) => (record('condition')(input, ctx), true), then: echo }).execute(context, 'c');
    await new RouterPrimitive({ routes: { only: echo }, selector: (input: string, ctx) => (record('selector')(input, ctx), 'only') }).execute(context, 'r');
    await cache(echo, { key: (input: string, ctx) => (record('key')(input, ctx), input) }).execute(context, 'k');
    expect(seen).toEqual(['condition:c:ctx', 'step:c:ctx', 'selector:r:ctx', 'step:r:ctx', 'key:k:ctx', 'step:k:ctx']);
  });

  it('a router without a default rejects an unknown route with RouteNotFoundError', async () => {
    const routed = new RouterPrimitive({ routes: { a: step('a', () => 1) }, selector: () => 'b' });
    const error = await routed.execute(new WorkflowContext(), 'x').catch((rejection: unknown) => rejection);
    expect(RouteNotFoundError.isInstance(error)).toBe(true);
    expect((error as RouteNotFoundError).code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('design: metrics', () => {
  it('metrics.snapshot() is keyed by primitive name with count, successes, failures and percentiles; reset() zeroes it', async () => {
    const clock = new ManualClock();
    metrics.configure({ clock });
    try {
      metrics.reset();
      const work = step('design-metrics-step', async (ms: number) => {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
        if (ms === 0) throw new Error('zero');
        return ms;
      });
      const context = new WorkflowContext({ clock });
      for (const ms of [10, 20, 30, 40, 0]) {
        const run = work.execute(context, ms).catch(() => undefined);
        await clock.tickAsync(ms);
        await run;
      }
      const entry = metrics.snapshot()['design-metrics-step'];
      expect(entry).toMatchObject({ count: 5, successes: 4, failures: 1 });
      for (const field of ['p50Ms', 'p90Ms', 'p95Ms', 'p99Ms'] as const) expect(typeof entry?.[field]).toBe('number');
      expect(entry!.p99Ms).toBeGreaterThanOrEqual(entry!.p50Ms);
      expect(entry!.p99Ms).toBeGreaterThan(30);
      metrics.reset();
      expect(metrics.snapshot()['design-metrics-step']).toBeUndefined();
      expect(metrics).toBeInstanceOf(PrimitiveMetrics);
    } finally {
      metrics.configure({ clock: { now: () => performance.timeOrigin + performance.now(), setTimeout, clearTimeout } });
    }
  });

  it('instrument: false leaves a primitive out of metrics and spans', async () => {
    const starts: string[] = [];
    const registration = registerInstrumentation({ onStart: (execution) => void starts.push(execution.name) });
    try {
      metrics.reset();
      await step('design-hidden', () => 1, { instrument: false }).execute(new WorkflowContext(), 0);
      await step('design-shown', () => 1).execute(new WorkflowContext(), 0);
    } finally {
      registration.dispose();
    }
    expect(starts).toEqual(['design-shown']);
    expect(metrics.snapshot()['design-hidden']).toBeUndefined();
    expect(metrics.snapshot()['design-shown']?.count).toBe(1);
  });

  it('exports InstrumentedPrimitive as the base class for custom primitives', async () => {
    class Shout extends InstrumentedPrimitive<string, string> {
      constructor() {
        super('shout', { name: 'design-shout' });
      }
      protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return Promise.resolve(input.toUpperCase());
      }
    }
    const shout = new Shout();
    expect(shout).toBeInstanceOf(WorkflowPrimitive);
    await expect(shout.execute(new WorkflowContext(), 'hi')).resolves.toBe('HI');
    expect(shout.name).toBe('design-shout');
  });
});

describe('design: testing helpers', () => {
  it('MockPrimitive records calls as { input, context }, counts them and asserts on inputs', async () => {
    const mock = new MockPrimitive<{ q: string }, string>({ returnValue: 'a' });
    const context = new WorkflowContext();
    await mock.execute(context, { q: 'one' });
    await mock.execute(context, { q: 'two' });
    expect(mock.callCount).toBe(2);
    expect(mock.calls).toHaveLength(2);
    expect(mock.calls[0]!.input).toEqual({ q: 'one' });
    expect(mock.calls[0]!.context).toBe(context);
    expect(() => mock.assertCalledWith({ q: 'two' })).not.toThrow();
    expect(() => mock.assertCalledWith({ q: 'three' })).toThrow();
    expect(() => mock.assertCalledTimes(2)).not.toThrow();
  });

  it('MockPrimitive plays a sequence of outcomes, an implementation or an error, and resolves undefined with no behaviour', async () => {
    const context = new WorkflowContext();
    const sequence = new MockPrimitive<string, string>({ sequence: [{ error: new Error('first') }, { value: 'second' }] });
    await expect(sequence.execute(context, 'x')).rejects.toThrow('first');
    await expect(sequence.execute(context, 'x')).resolves.toBe('second');
    const plain = new MockPrimitive<string, string>({ sequence: ['a', new Error('b'), 'c'] as never });
    await expect(plain.execute(context, 'x')).resolves.toBe('a');
    await expect(plain.execute(context, 'x')).rejects.toThrow('b');
    await expect(plain.execute(context, 'x')).resolves.toBe('c');
    await expect(new MockPrimitive<string, string>({ implementation: (input) => input + '!' }).execute(context, 'x')).resolves.toBe('x!');
    const error = new Error('always');
    await expect(new MockPrimitive({ error }).execute(context, 'x')).rejects.toBe(error);
    await expect(new MockPrimitive().execute(context, 'x')).resolves.toBeUndefined();
  });

  it('every timed primitive accepts a ManualClock', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext();
    const slow = withLatency(100, step('s', () => 'slow'), { clock });
    const run = slow.execute(context, 'x');
    await clock.tickAsync(100);
    await expect(run).resolves.toBe('slow');
    const hedged = hedge(slow, { delayMs: 50, clock });
    const hedgedRun = hedged.execute(context, 'x');
    await clock.tickAsync(150);
    await expect(hedgedRun).resolves.toBe('slow');
    expect(() => retry(slow, { clock })).not.toThrow();
    expect(() => timeout(slow, { timeoutMs: 1, clock })).not.toThrow();
    expect(() => circuitBreaker(slow, { clock })).not.toThrow();
    expect(() => cache(slow, { clock })).not.toThrow();
    expect(() => rateLimit(slow, { tokensPerInterval: 1, intervalMs: 1, clock })).not.toThrow();
    expect(() => compensation({ steps: [{ step: slow, undo: step('u', () => undefined) }], clock })).not.toThrow();
  });

  it('ManualClock moves time synchronously with advance(ms) only: the tick(ms) alias is gone', () => {
    const clock = new ManualClock(5);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 10);
    clock.advance(10);
    expect(fired).toEqual([15]);
    expect(clock.now()).toBe(15);
    expect('tick' in clock).toBe(false);
  });
});

describe('design: events and subscriptions', () => {
  it('a subscription returns a Disposable { dispose() }, also usable with using', async () => {
    const { primitive } = flaky(10);
    const retried = retry(primitive, { maxAttempts: 3, initialDelayMs: 0, maxDelayMs: 0 });
    const seen: number[] = [];
    const subscription: Disposable = retried.onRetry(({ attempt }) => seen.push(attempt));
    expect(typeof subscription.dispose).toBe('function');
    expect(typeof subscription[Symbol.dispose]).toBe('function');
    {
      using scoped = retried.onRetry(({ attempt }) => seen.push(attempt * 100));
      expect(scoped).toBeDefined();
      await retried.execute(new WorkflowContext(), 'x').catch(() => undefined);
    }
    subscription.dispose();
    await retried.execute(new WorkflowContext(), 'x').catch(() => undefined);
    expect(seen).toEqual([1, 100, 2, 200]);
  });
});

describe('design: errors', () => {
  const samples = (): [new (...args: never[]) => TtaError, TtaError, string][] => [
    [TimeoutError, new TimeoutError(100), 'TIMEOUT'],
    [BrokenCircuitError, new BrokenCircuitError('llm', 1_000), 'CIRCUIT_OPEN'],
    [BulkheadRejectedError, new BulkheadRejectedError('pool', 1, 0), 'BULKHEAD_REJECTED'],
    [RateLimitExceededError, new RateLimitExceededError('rl', 'k', 10), 'RATE_LIMITED'],
    [ValidationError, new ValidationError([{ message: 'bad', path: ['a'] }]), 'VALIDATION_FAILED'],
    [RouteNotFoundError, new RouteNotFoundError('x', ['a']), 'ROUTE_NOT_FOUND'],
    [InvalidOptionsError, new InvalidOptionsError('RetryPrimitive', 'maxAttempts', 'must be >= 1'), 'INVALID_OPTIONS'],
    [DeadlineExceededError, new DeadlineExceededError(0), 'DEADLINE_EXCEEDED'],
    [CompensationError, new CompensationError(new Error('o'), [new Error('u')]), 'COMPENSATION_FAILED'],
    [FilterRejectedError, new FilterRejectedError('f', 0, 1), 'FILTER_REJECTED'],
    [InjectedFaultError, new InjectedFaultError(1), 'INJECTED_FAULT'],
    [FallbackExhaustedError as never, new FallbackExhaustedError([new Error('a')]) as unknown as TtaError, 'FALLBACK_EXHAUSTED'],
  ];

  it('each has a stable code, a name, a message, and is an Error and a TtaError', () => {
    for (const [ErrorClass, error, code] of samples()) {
      expect(error.code).toBe(code);
      expect(error.name).toBe(ErrorClass.name);
      expect(error.message.length).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(TtaError);
      expect(TtaError.isInstance(error)).toBe(true);
    }
  });

  it('each has a default message when built without arguments', () => {
    const classes = [TimeoutError, BrokenCircuitError, BulkheadRejectedError, RateLimitExceededError, ValidationError, RouteNotFoundError, InvalidOptionsError, DeadlineExceededError, CompensationError, FilterRejectedError, InjectedFaultError, FallbackExhaustedError] as unknown as (new () => Error)[];
    for (const ErrorClass of classes) {
      const error = new ErrorClass();
      expect(error.message.length, ErrorClass.name).toBeGreaterThan(0);
      expect(error.message, ErrorClass.name).not.toMatch(/undefined|NaN/);
    }
  });

  it('each keeps a cause', () => {
    const cause = new Error('root');
    expect(new TimeoutError(1, { cause }).cause).toBe(cause);
    expect(new BrokenCircuitError('b', 1, { cause }).cause).toBe(cause);
    expect(new BulkheadRejectedError('b', 1, 0, { cause }).cause).toBe(cause);
    expect(new RateLimitExceededError('r', 'k', 1, { cause }).cause).toBe(cause);
    expect(new ValidationError([], undefined, { cause }).cause).toBe(cause);
    expect(new RouteNotFoundError('x', [], { cause }).cause).toBe(cause);
    expect(new InvalidOptionsError('P', 'o', 'rule', { cause }).cause).toBe(cause);
    expect(new DeadlineExceededError(0, { cause }).cause).toBe(cause);
    expect(new FallbackExhaustedError([cause]).cause).toBe(cause);
    expect(new CompensationError(cause, []).cause).toBe(cause);
    expect(new TtaError('m', 'CODE', { cause }).cause).toBe(cause);
  });

  it('static isInstance() recognises a copy from another install (same Symbol.for brand) and nothing else', () => {
    for (const [ErrorClass, error] of samples()) {
      const brands = Object.getOwnPropertySymbols(error).filter((symbol) => Symbol.keyFor(symbol) !== undefined);
      expect(brands.length, ErrorClass.name).toBeGreaterThan(0);
      const copy = Object.assign(new Error('copy'), { code: error.code }) as unknown as Record<symbol, unknown>;
      for (const brand of brands) copy[brand] = true;
      const isInstance = (ErrorClass as unknown as { isInstance(value: unknown): boolean }).isInstance;
      expect(isInstance(copy), ErrorClass.name).toBe(true);
      expect(isInstance(new Error('plain')), ErrorClass.name).toBe(false);
      expect(isInstance(undefined), ErrorClass.name).toBe(false);
    }
    expect(TimeoutError.isInstance(new BrokenCircuitError('b', 1))).toBe(false);
  });

  it('bad options throw InvalidOptionsError at construction, not at first use', () => {
    const inner = step('s', () => 1);
    const bad: (() => unknown)[] = [
      () => retry(inner, { maxAttempts: 0 }),
      () => retry(inner, { jitter: 'sometimes' as never }),
      () => timeout(inner, { timeoutMs: -1 }),
      () => fallback(inner, []),
      () => circuitBreaker(inner, { failureThreshold: 0 }),
      () => circuitBreaker(inner, { failureRatio: 2 }),
      () => circuitBreaker(inner, { halfOpenMaxCalls: 0 }),
      () => cache(inner, { ttlMs: -5 }),
      () => bulkhead(inner, { maxConcurrent: 0 }),
      () => new ParallelPrimitive([inner], { concurrency: 0 }),
      () => new CompensationPrimitive({ steps: [] as never }),
      () => new ConditionalPrimitive({ condition: 'yes' as never, then: inner }),
      () => new RouterPrimitive({ routes: { a: inner }, selector: () => 'a', defaultRoute: 'b' as never }),
    ];
    for (const make of bad) expect(make).toThrow(InvalidOptionsError);
  });
});
