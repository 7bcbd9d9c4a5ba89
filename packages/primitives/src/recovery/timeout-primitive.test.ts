import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowContext, step, InvalidOptionsError } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock, MockPrimitive } from '@tta/primitives/testing';
import { TimeoutPrimitive, timeout } from './timeout-primitive.js';
import { deadlineQueueFor } from './deadline-queue.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { systemClock } from '../core/clock.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';
import { turnsToSettle as countTurns } from '../core/test-support/microtask-turns.js';

afterEach(expectNoLeakedResources);

/** A step that waits for its signal (never settles on its own) and records what it saw. */
function hanging() {
  const seen: { signal?: AbortSignal; reason?: unknown } = {};
  const primitive = step('hanging', (_input: string, context) => {
    const signal = context.signal;
    seen.signal = signal;
    return new Promise<string>((_resolve, reject) => {
      signal.addEventListener(
        'abort',
        () => {
          seen.reason = signal.reason;
          reject(signal.reason);
        },
        { once: true },
      );
    });
  });
  return { primitive, seen };
}

/** A step whose settlement the test controls. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const signals: AbortSignal[] = [];
  const primitive = step('deferred', (_input: string, context) => {
    signals.push(context.signal);
    return new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
  });
  return { primitive, signals, resolve: (value: T) => resolve(value), reject: (error: unknown) => reject(error) };
}

const countTimeouts = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('TimeoutPrimitive', () => {
  it('aborts the inner signal at the deadline and rejects with TimeoutError', async () => {
    const clock = new ManualClock();
    const { primitive, seen } = hanging();
    const run = timeout(primitive, { timeoutMs: 1_000, clock }).execute(new WorkflowContext({ clock }), 'x');
    const settled = run.catch((error: unknown) => error);
    await clock.tickAsync(999);
    expect(seen.signal?.aborted).toBe(false);
    await clock.tickAsync(1);
    const error = await settled;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('TIMEOUT');
    expect((error as TimeoutError).timeoutMs).toBe(1_000);
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.reason).toBe(error);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at the deadline even when the inner work ignores its signal', async () => {
    const clock = new ManualClock();
    const never = step('never', () => new Promise<string>(() => {}));
    const run = timeout(never, { timeoutMs: 50, clock }).execute(new WorkflowContext({ clock }), 'x');
    const settled = run.catch((error: unknown) => error);
    await clock.tickAsync(50);
    expect(TimeoutError.isInstance(await settled)).toBe(true);
  });

  it('surfaces the caller abort as the caller reason, not as a timeout', async () => {
    const clock = new ManualClock();
    const { primitive, seen } = hanging();
    const controller = new AbortController();
    const timeouts: unknown[] = [];
    const bounded = timeout(primitive, { timeoutMs: 1_000, clock });
    bounded.onTimeout((event) => timeouts.push(event));
    const run = bounded.execute(new WorkflowContext({ clock, signal: controller.signal }), 'x');
    const settled = run.catch((error: unknown) => error);
    await clock.tickAsync(10);
    const reason = new Error('user went away');
    controller.abort(reason);
    expect(await settled).toBe(reason);
    expect(seen.reason).toBe(reason);
    expect(timeouts).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with the caller reason when the inner work rejects with its own abort error', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const inner = step('own-error', (_input: string, context) => {
      const signal = context.signal;
      return new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true }));
    });
    const run = timeout(inner, { timeoutMs: 1_000, clock }).execute(new WorkflowContext({ clock, signal: controller.signal }), 'x');
    const reason = new Error('caller');
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
  });

  it('reports the caller abort (not a timeout) at the deadline when the inner work never reads its signal', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const deaf = step('deaf', () => new Promise<string>(() => {}));
    const run = timeout(deaf, { timeoutMs: 100, clock }).execute(new WorkflowContext({ clock, signal: controller.signal }), 'x');
    const settled = run.catch((error: unknown) => error);
    const reason = new Error('caller');
    controller.abort(reason);
    await clock.tickAsync(100);
    expect(await settled).toBe(reason);
  });

  it('clears the deadline after success and never aborts the inner signal', async () => {
    const clock = new ManualClock();
    const work = deferred<string>();
    const run = timeout(work.primitive, { timeoutMs: 1_000, clock }).execute(new WorkflowContext({ clock }), 'x');
    expect(clock.pendingTimers).toBe(1);
    work.resolve('done');
    await expect(run).resolves.toBe('done');
    expect(clock.pendingTimers).toBe(0);
    expect(deadlineQueueFor(clock).pending).toBe(0);
    await clock.tickAsync(5_000);
    expect(work.signals[0]!.aborted).toBe(false);
  });

  it('passes an inner failure through unchanged and clears the deadline', async () => {
    const clock = new ManualClock();
    const failure = new Error('boom');
    const run = timeout(new MockPrimitive<string, string>({ error: failure }), { timeoutMs: 1_000, clock }).execute(new WorkflowContext({ clock }), 'x');
    await expect(run).rejects.toBe(failure);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs the fallback on timeout with the same input', async () => {
    const clock = new ManualClock();
    const { primitive } = hanging();
    const canned = step('canned', (input: string) => `canned:${input}`);
    const bounded = timeout(primitive, { timeoutMs: 100, clock, fallback: canned });
    const events: unknown[] = [];
    bounded.onTimeout((event) => events.push(event.fallback));
    const run = bounded.execute(new WorkflowContext({ clock }), 'q');
    await clock.tickAsync(100);
    await expect(run).resolves.toBe('canned:q');
    expect(events).toEqual([true]);
  });

  it('reports the timeout to the instrumentation seam', async () => {
    const clock = new ManualClock();
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const run = timeout(hanging().primitive, { timeoutMs: 10, clock }).execute(new WorkflowContext({ clock }), 'x');
      const settled = run.catch(() => undefined);
      await clock.tickAsync(10);
      await settled;
      expect(seen).toEqual([expect.objectContaining({ type: 'timeout', timeoutMs: 10 })]);
    } finally {
      registration.dispose();
    }
  });

  it('uses the context clock when no clock option is given', async () => {
    const clock = new ManualClock();
    const run = timeout(hanging().primitive, { timeoutMs: 10 }).execute(new WorkflowContext({ clock }), 'x');
    const settled = run.catch((error: unknown) => error);
    await clock.tickAsync(10);
    expect(TimeoutError.isInstance(await settled)).toBe(true);
  });

  it('shares one clock timer between many pending calls and fires each at its own deadline', async () => {
    const clock = new ManualClock();
    const short = timeout(hanging().primitive, { timeoutMs: 100, clock });
    const long = timeout(hanging().primitive, { timeoutMs: 300, clock });
    const outcomes: string[] = [];
    const runs: Promise<unknown>[] = [];
    for (let index = 0; index < 50; index++) {
      runs.push(long.execute(new WorkflowContext({ clock }), 'x').catch(() => void outcomes.push(`long@${clock.now()}`)));
      runs.push(short.execute(new WorkflowContext({ clock }), 'x').catch(() => void outcomes.push(`short@${clock.now()}`)));
    }
    expect(clock.pendingTimers).toBe(1);
    expect(deadlineQueueFor(clock).pending).toBe(100);
    await clock.tickAsync(100);
    expect(outcomes.filter((outcome) => outcome === 'short@100')).toHaveLength(50);
    expect(clock.pendingTimers).toBe(1);
    await clock.tickAsync(200);
    await Promise.all(runs);
    expect(outcomes.filter((outcome) => outcome === 'long@300')).toHaveLength(50);
    expect(clock.pendingTimers).toBe(0);
  });

  it('re-arms the shared timer when a later call has an earlier deadline', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const run1 = timeout(hanging().primitive, { timeoutMs: 1_000, clock }).execute(new WorkflowContext({ clock }), 'x').catch(() => fired.push(clock.now()));
    await clock.tickAsync(100);
    const run2 = timeout(hanging().primitive, { timeoutMs: 200, clock }).execute(new WorkflowContext({ clock }), 'x').catch(() => fired.push(clock.now()));
    await clock.tickAsync(1_000);
    await Promise.all([run1, run2]);
    expect(fired).toEqual([300, 1_000]);
  });

  it('on the system clock keeps one host timer for 100 pending calls and none once they settle', async () => {
    const before = countTimeouts();
    const works = Array.from({ length: 100 }, () => deferred<number>());
    const runs = works.map((work, index) => timeout(work.primitive, { timeoutMs: 60_000 }).execute(new WorkflowContext(), `${index}`));
    expect(countTimeouts() - before).toBe(1);
    works.forEach((work, index) => work.resolve(index));
    await expect(Promise.all(runs)).resolves.toHaveLength(100);
    expect(countTimeouts() - before).toBe(0);
    expect(deadlineQueueFor(systemClock).pending).toBe(0);

    // The next call keeps the process alive again while it is pending, and releases it after.
    const next = deferred<number>();
    const run = timeout(next.primitive, { timeoutMs: 60_000 }).execute(new WorkflowContext(), 'again');
    expect(countTimeouts() - before).toBe(1);
    next.resolve(7);
    await expect(run).resolves.toBe(7);
    expect(countTimeouts() - before).toBe(0);
  });

  it('creates no AbortController and no host timer per call when the inner work does not read its signal', async () => {
    const clock = new ManualClock();
    const original = globalThis.AbortController;
    let created = 0;
    globalThis.AbortController = class extends original {
      constructor() {
        super();
        created++;
      }
    };
    try {
      const bounded = timeout(step('quick', (input: number) => input * 2), { timeoutMs: 1_000, clock });
      const context = new WorkflowContext({ clock, signal: new original().signal });
      for (let index = 0; index < 10; index++) await expect(bounded.execute(context, index)).resolves.toBe(index * 2);
      expect(created).toBe(0);
      expect(clock.pendingTimers).toBe(0);
    } finally {
      globalThis.AbortController = original;
    }
  });

  it('refuses invalid options at construction', () => {
    const inner = new MockPrimitive<string, string>({ returnValue: 'x' });
    expect(() => new TimeoutPrimitive(inner, { timeoutMs: 0 })).toThrow(InvalidOptionsError);
    expect(() => new TimeoutPrimitive(inner, { timeoutMs: -5 })).toThrow(/timeoutMs/);
    expect(() => new TimeoutPrimitive(inner, { timeoutMs: Number.NaN })).toThrow(InvalidOptionsError);
    expect(() => new TimeoutPrimitive(inner, { timeoutMs: -Infinity })).toThrow(/timeoutMs/);
    expect(() => new TimeoutPrimitive(inner, {} as never)).toThrow(/timeoutMs/);
    expect(() => new TimeoutPrimitive(inner, { timeoutMs: 10, fallback: (() => 'x') as never })).toThrow(/fallback/);
  });
});

describe('TimeoutPrimitive with long and infinite limits', () => {
  const day = 86_400_000;

  it('times out after 30 days, not after the 1 ms a host timer would wait', async () => {
    const clock = new ManualClock();
    const slow = step('slow', (_: number, context) => new Promise<number>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason))));
    let outcome: unknown;
    const run = timeout(slow, { timeoutMs: 30 * day, clock }).execute(new WorkflowContext({ clock }), 1).catch((error: unknown) => (outcome = error));
    await clock.tickAsync(30 * day - 1);
    expect(outcome).toBeUndefined();
    await clock.tickAsync(1);
    await run;
    expect(outcome).toBeInstanceOf(TimeoutError);
  });

  it('never times out with timeoutMs Infinity and leaves no timer once the work is done', async () => {
    const clock = new ManualClock();
    let finish: (value: number) => void = () => {};
    const slow = step('slow', () => new Promise<number>((resolve) => (finish = resolve)));
    const run = timeout(slow, { timeoutMs: Infinity, clock }).execute(new WorkflowContext({ clock }), 1);
    await clock.tickAsync(1e15);
    finish(7);
    await expect(run).resolves.toBe(7);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('TimeoutPrimitive and a caller that aborts', () => {
  it('rejects at once with the caller reason even when the inner work ignores its signal', async () => {
    const { ManualClock } = await import('@tta/primitives/testing');
    const { WorkflowContext, step, timeout } = await import('@tta/primitives');
    const clock = new ManualClock();
    const controller = new AbortController();
    const ignoring = step('ignores-signal', () => new Promise<string>(() => {}));
    const run = timeout(ignoring, { timeoutMs: 30_000, clock }).execute(WorkflowContext.create({ signal: controller.signal, clock }), undefined);
    const outcome = run.catch((error: unknown) => error);
    controller.abort('caller gave up');
    await expect(outcome).resolves.toBe('caller gave up');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('TimeoutPrimitive with the built-in metrics', () => {
  it('records the inner step and the timeout from shared clock reads, and a timeout as a failure', async () => {
    const { metrics, WorkflowContext: Context, timeout: timeoutOf, step: stepOf } = await import('@tta/primitives');
    const { systemClock, sleep: sleepOn } = await import('@tta/primitives/instrumentation');
    const { ManualClock } = await import('@tta/primitives/testing');
    const clock = new ManualClock(0);
    metrics.reset();
    metrics.configure({ clock });
    try {
      const quick = stepOf('metered-quick', async () => {
        clock.advance(5);
        return 'fast';
      });
      await expect(timeoutOf(quick, { timeoutMs: 100, clock, name: 'metered-timeout' }).execute(new Context({ clock }), undefined)).resolves.toBe('fast');
      expect(metrics.snapshot()['metered-quick']).toMatchObject({ count: 1, successes: 1, maxMs: 5 });
      expect(metrics.snapshot()['metered-timeout']).toMatchObject({ count: 1, successes: 1, maxMs: 5 });

      const slow = stepOf('metered-slow', async (_: void, context) => sleepOn(1_000, context.signal, clock));
      const outcome = timeoutOf(slow, { timeoutMs: 100, clock, name: 'metered-expiring' }).execute(new Context({ clock }), undefined).catch((error: unknown) => error);
      await clock.tickAsync(100);
      await outcome;
      expect(metrics.snapshot()['metered-expiring']).toMatchObject({ count: 1, failures: 1, maxMs: 100 });
      expect(metrics.snapshot()['metered-slow']).toMatchObject({ count: 1, failures: 1 });
    } finally {
      metrics.configure({ clock: systemClock });
    }
  });

  it('counts a call without a promise hop of its own: metered, it settles as soon as unmetered', async () => {
    const { metrics, WorkflowContext: Context, timeout: timeoutOf, step: stepOf } = await import('@tta/primitives');
    const turnsToSettle = (instrument: boolean): Promise<number> => {
      const bounded = timeoutOf(stepOf('hop-step', async (value: number) => value + 1, { instrument: false }), { timeoutMs: 1_000, instrument, name: 'hop-timeout' });
      return countTurns(bounded.execute(new Context(), 1));
    };
    metrics.reset();
    const unmetered = await turnsToSettle(false);
    const metered = await turnsToSettle(true);
    expect(metered).toBe(unmetered);
    expect(metrics.snapshot()['hop-timeout']).toMatchObject({ count: 1, successes: 1 });
  });

  it('records a call that timed out into its fallback by the fallback outcome', async () => {
    const { metrics, WorkflowContext: Context, timeout: timeoutOf, step: stepOf } = await import('@tta/primitives');
    const { ManualClock } = await import('@tta/primitives/testing');
    const clock = new ManualClock(0);
    metrics.reset();
    const never = stepOf('never-settles', (_: void, context) => new Promise<string>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })));
    const rescued = timeoutOf(never, { timeoutMs: 10, clock, name: 'rescued-timeout', fallback: stepOf('canned', async () => 'canned') });
    const failing = timeoutOf(never, { timeoutMs: 10, clock, name: 'failed-fallback', fallback: stepOf('broken', async () => Promise.reject(new Error('no canned answer'))) });
    const first = rescued.execute(new Context({ clock }), undefined);
    const second = failing.execute(new Context({ clock }), undefined).catch((error: unknown) => error);
    await clock.tickAsync(10);
    await expect(first).resolves.toBe('canned');
    expect(await second).toBeInstanceOf(Error);
    expect(metrics.snapshot()['rescued-timeout']).toMatchObject({ count: 1, successes: 1, failures: 0 });
    expect(metrics.snapshot()['failed-fallback']).toMatchObject({ count: 1, successes: 0, failures: 1 });
  });
});
