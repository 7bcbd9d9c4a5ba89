import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WorkflowContext, step, InvalidOptionsError } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { CircuitBreakerPrimitive, circuitBreaker } from './circuit-breaker-primitive.js';
import { InMemoryCircuitStateStore, type CircuitSnapshot, type CircuitStateStore } from './circuit-state-store.js';
import { BrokenCircuitError } from '../errors/broken-circuit-error.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';
import { turnsToSettle as countTurns } from '../core/test-support/microtask-turns.js';

afterEach(expectNoLeakedResources);

/** An inner step whose calls stay pending until the test settles them. */
function controllable() {
  const pending: { resolve: (value: string) => void; reject: (error: unknown) => void }[] = [];
  let started = 0;
  const primitive = step('service', () => {
    started++;
    return new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
  });
  return {
    primitive,
    pending,
    get started() {
      return started;
    },
  };
}

const ok = step('ok', (input: string) => `ok:${input}`);
const failing = (message = 'down') => step('failing', (): string => {
  throw new Error(message);
});

/** A service that fails while `down` is true. */
function switchable() {
  const state = { down: true, calls: 0 };
  const primitive = step('switchable', (input: string) => {
    state.calls++;
    if (state.down) throw new Error('down');
    return `ok:${input}`;
  });
  return { primitive, state };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function failTimes(breaker: CircuitBreakerPrimitive<string, string>, context: WorkflowContext, times: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let index = 0; index < times; index++) errors.push(await breaker.execute(context, 'x').catch((error: unknown) => error));
  return errors;
}

describe('CircuitBreakerPrimitive', () => {
  it('goes closed -> open -> half-open -> closed with an event on every transition', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 3, breakDurationMs: 1_000, clock });
    const events: string[] = [];
    breaker.onBreak(() => events.push('break'));
    breaker.onHalfOpen(() => events.push('half-open'));
    breaker.onReset(() => events.push('reset'));
    breaker.onStateChange(({ from, to }) => events.push(`${from}->${to}`));

    expect(breaker.state).toBe('closed');
    await failTimes(breaker, context, 2);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('open');
    expect(service.state.calls).toBe(3);

    clock.advance(400);
    const rejected = await breaker.execute(context, 'x').catch((error: unknown) => error);
    expect(BrokenCircuitError.isInstance(rejected)).toBe(true);
    expect((rejected as BrokenCircuitError).code).toBe('CIRCUIT_OPEN');
    expect((rejected as BrokenCircuitError).retryAfterMs).toBe(600);
    expect(service.state.calls).toBe(3);

    clock.advance(600);
    service.state.down = false;
    await expect(breaker.execute(context, 'x')).resolves.toBe('ok:x');
    expect(breaker.state).toBe('closed');
    expect(events).toEqual(['closed->open', 'break', 'open->half-open', 'half-open', 'half-open->closed', 'reset']);
  });

  it('reopens for a full break when a half-open probe fails', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 1_000, clock });
    await failTimes(breaker, context, 1);
    clock.advance(1_000);
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('open');
    expect(service.state.calls).toBe(2);
    const error = (await breaker.execute(context, 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect(error.retryAfterMs).toBe(1_000);
  });

  it('lets at most halfOpenMaxCalls probes through and rejects the rest with BrokenCircuitError', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = controllable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 100, halfOpenMaxCalls: 2, halfOpenSuccessThreshold: 2, clock });
    const first = breaker.execute(context, 'x').catch(() => 'failed');
    service.pending[0]!.reject(new Error('down'));
    await first;
    clock.advance(100);
    const calls = Array.from({ length: 5 }, () => breaker.execute(context, 'x').then((value) => value, (error: unknown) => error));
    await flush();
    expect(breaker.state).toBe('half-open');
    expect(service.started).toBe(3);
    const outcomes = await Promise.all(calls.slice(2));
    expect(outcomes.every((outcome) => BrokenCircuitError.isInstance(outcome) && outcome.retryAfterMs === 0)).toBe(true);
    service.pending[1]!.resolve('a');
    await calls[0];
    expect(breaker.state).toBe('half-open');
    service.pending[2]!.resolve('b');
    await calls[1];
    expect(breaker.state).toBe('closed');
  });

  it('ignores a late failure from a call started before the circuit closed again', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    let slowReject!: (error: unknown) => void;
    let mode: 'slow' | 'fail' | 'ok' = 'slow';
    const inner = step('mixed', (): Promise<string> | string => {
      if (mode === 'slow') return new Promise<string>((_resolve, reject) => (slowReject = reject));
      if (mode === 'fail') throw new Error('down');
      return 'ok';
    });
    const breaker = circuitBreaker(inner, { failureThreshold: 1, breakDurationMs: 100, clock });
    const slow = breaker.execute(context, 'x').catch(() => 'late failure');
    mode = 'fail';
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('open');
    clock.advance(100);
    mode = 'ok';
    await breaker.execute(context, 'x');
    expect(breaker.state).toBe('closed');
    slowReject(new Error('late'));
    await expect(slow).resolves.toBe('late failure');
    expect(breaker.state).toBe('closed');
  });

  it('ignores a late probe result once reset() closed the circuit', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = controllable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 100, clock });
    const first = breaker.execute(context, 'x').catch(() => undefined);
    service.pending[0]!.reject(new Error('down'));
    await first;
    clock.advance(100);
    const probe = breaker.execute(context, 'x').catch(() => 'probe failed');
    await flush();
    expect(breaker.state).toBe('half-open');
    breaker.reset();
    service.pending[1]!.reject(new Error('late probe failure'));
    await probe;
    expect(breaker.state).toBe('closed');
  });

  it('counts only errors accepted by breakOn, and never the caller abort', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker(failing('404'), { failureThreshold: 1, clock, breakOn: (error) => (error as Error).message !== '404' });
    await failTimes(breaker, new WorkflowContext({ clock }), 5);
    expect(breaker.state).toBe('closed');

    const controller = new AbortController();
    const aborting = step('aborting', (): string => {
      controller.abort(new Error('caller'));
      throw new Error('interrupted');
    });
    const guarded = circuitBreaker(aborting, { failureThreshold: 1, clock });
    await expect(guarded.execute(new WorkflowContext({ clock, signal: controller.signal }), 'x')).rejects.toThrow('caller');
    expect(guarded.state).toBe('closed');
  });

  it('counts a call aborted before it runs as nothing', async () => {
    const clock = new ManualClock();
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, clock });
    const controller = new AbortController();
    controller.abort(new Error('early'));
    await expect(breaker.execute(new WorkflowContext({ clock, signal: controller.signal }), 'x')).rejects.toThrow('early');
    expect(service.state.calls).toBe(0);
    expect(breaker.state).toBe('closed');
  });

  it('in ratio mode trips only when failures / calls >= failureRatio with at least minimumThroughput calls', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureRatio: 0.5, minimumThroughput: 4, windowMs: 10_000, clock });
    await failTimes(breaker, context, 3);
    expect(breaker.state).toBe('closed'); // 3 / 3 failures, but only 3 calls
    breaker.reset();
    await failTimes(breaker, context, 1);
    service.state.down = false;
    for (let index = 0; index < 3; index++) await breaker.execute(context, 'x');
    service.state.down = true;
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('closed'); // 2 / 5 = 0.4
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('open'); // 3 / 6 = 0.5
  });

  it('in ratio mode opens at the ratio and forgets results that left the window', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureRatio: 0.6, minimumThroughput: 5, windowMs: 1_000, clock });
    service.state.down = false;
    await breaker.execute(context, 'x');
    await breaker.execute(context, 'x');
    service.state.down = true;
    await failTimes(breaker, context, 2);
    expect(breaker.state).toBe('closed'); // 4 calls: below the minimum throughput
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('open'); // 3 / 5 = 0.6

    breaker.reset();
    await failTimes(breaker, context, 4);
    clock.advance(1_200);
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('closed'); // the four old failures left the window
  });

  it('isolate() holds the circuit open with retryAfterMs Infinity until reset()', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const breaker = circuitBreaker(ok, { clock, breakDurationMs: 10 });
    const breaks: unknown[] = [];
    breaker.onBreak((event) => breaks.push(event));
    breaker.isolate();
    expect(breaker.state).toBe('open');
    expect(breaker.isIsolated).toBe(true);
    clock.advance(1_000_000);
    const error = (await breaker.execute(context, 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect(error.retryAfterMs).toBe(Infinity);
    expect(breaks).toEqual([{ error: undefined, isolated: true, breakDurationMs: Infinity }]);
    breaker.reset();
    await expect(breaker.execute(context, 'x')).resolves.toBe('ok:x');
  });

  it('isolate() returns a handle; disposing every handle closes the circuit, a reset() ends them all', async () => {
    const clock = new ManualClock();
    const breaker = circuitBreaker(ok, { clock });
    const first = breaker.isolate();
    const second = breaker.isolate();
    first.dispose();
    first.dispose();
    expect(breaker.state).toBe('open');
    second.dispose();
    expect(breaker.state).toBe('closed');
    const stale = breaker.isolate();
    breaker.reset();
    const fresh = breaker.isolate();
    stale.dispose();
    expect(breaker.state).toBe('open');
    fresh.dispose();
    expect(breaker.state).toBe('closed');
  });

  it('reads half-open (and fires onHalfOpen once) when state is read after the break, as Polly does', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 500, clock });
    const halfOpen: number[] = [];
    breaker.onHalfOpen(() => halfOpen.push(clock.now()));
    await failTimes(breaker, context, 1);
    clock.advance(499);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.state).toBe('half-open');
    service.state.down = false;
    await expect(breaker.execute(context, 'x')).resolves.toBe('ok:x');
    expect(halfOpen).toEqual([500]);
    expect(breaker.state).toBe('closed');
  });

  it('rejects while open with the failure that opened the circuit as cause', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const breaker = circuitBreaker(failing('provider down'), { failureThreshold: 1, clock });
    await failTimes(breaker, context, 1);
    const error = (await breaker.execute(context, 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect((error.cause as Error).message).toBe('provider down');
    breaker.reset();
    breaker.isolate();
    expect(((await breaker.execute(context, 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError).cause).toBeUndefined();
  });

  it('in ratio mode forgets a result exactly windowMs after its slice started', async () => {
    const clock = new ManualClock(123_457);
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const breaker = circuitBreaker(service.primitive, { failureRatio: 1, minimumThroughput: 2, windowMs: 1_000, clock });
    await failTimes(breaker, context, 1);
    clock.advance(999);
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('open'); // both within the window
    breaker.reset();
    await failTimes(breaker, context, 1);
    clock.advance(1_000);
    await failTimes(breaker, context, 1);
    expect(breaker.state).toBe('closed'); // the first one is exactly windowMs old: out
  });

  it('reports break, half-open, reset and reject events to the instrumentation seam', async () => {
    const clock = new ManualClock();
    const context = new WorkflowContext({ clock });
    const service = switchable();
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 10, clock });
      await failTimes(breaker, context, 2);
      clock.advance(10);
      service.state.down = false;
      await breaker.execute(context, 'x');
      expect(seen.map((event) => event.type)).toEqual(['circuit-break', 'circuit-reject', 'circuit-half-open', 'circuit-reset']);
    } finally {
      registration.dispose();
    }
  });

  it('saves its state to the store on transitions and a new breaker with the same key restores it', async () => {
    const clock = new ManualClock(1_000);
    const store = new InMemoryCircuitStateStore();
    const first = circuitBreaker(failing(), { failureThreshold: 2, breakDurationMs: 5_000, store, key: 'llm', clock });
    await failTimes(first, new WorkflowContext({ clock }), 2);
    await first.whenSaved();
    const saved = await store.load('llm');
    expect(saved).toMatchObject({ version: 1, state: 'open', isolated: false, openedAtMs: 1_000, openUntilMs: 6_000 });
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);

    clock.advance(1_000);
    const service = switchable();
    service.state.down = false;
    const second = circuitBreaker(service.primitive, { failureThreshold: 2, breakDurationMs: 5_000, store, key: 'llm', clock });
    const error = (await second.execute(new WorkflowContext({ clock }), 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect(BrokenCircuitError.isInstance(error)).toBe(true);
    expect(error.retryAfterMs).toBe(4_000);
    expect(service.state.calls).toBe(0);
    clock.advance(4_000);
    await expect(second.execute(new WorkflowContext({ clock }), 'x')).resolves.toBe('ok:x');
    expect(second.state).toBe('closed');
    await second.whenSaved();
    expect(await store.load('llm')).toMatchObject({ state: 'closed' });
  });

  it('saves the transitions one at a time and in order, whatever the store latency', async () => {
    const clock = new ManualClock();
    const started: { state: string; finish: () => void }[] = [];
    const slow: CircuitStateStore = {
      specificationVersion: 1,
      load: () => Promise.resolve(undefined),
      save: (_key, snapshot) => new Promise<void>((resolve) => started.push({ state: snapshot.state, finish: resolve })),
    };
    const breaker = circuitBreaker(ok, { store: slow, clock });
    await breaker.loadState();
    breaker.isolate();
    breaker.reset();
    breaker.isolate();
    await flush();
    expect(started.map((save) => save.state)).toEqual(['open']);
    started[0]!.finish();
    await flush();
    expect(started.map((save) => save.state)).toEqual(['open', 'closed']);
    started[1]!.finish();
    await flush();
    started[2]!.finish();
    await breaker.whenSaved();
    expect(started.map((save) => save.state)).toEqual(['open', 'closed', 'open']);
  });

  it('with refreshMs, follows a breaker of another process that opened the shared circuit, and back', async () => {
    const clock = new ManualClock(1_000);
    const store = new InMemoryCircuitStateStore();
    const processA = circuitBreaker(failing(), { failureThreshold: 1, breakDurationMs: 5_000, store, key: 'shared', clock, refreshMs: 1_000 });
    const service = switchable();
    service.state.down = false;
    const processB = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 5_000, store, key: 'shared', clock, refreshMs: 1_000 });
    const changes: string[] = [];
    processB.onStateChange(({ from, to }) => changes.push(`${from}->${to}`));
    const context = new WorkflowContext({ clock });
    await processA.loadState();
    await processB.execute(context, 'x');
    expect(processB.state).toBe('closed');

    clock.advance(100);
    await processA.execute(context, 'x').catch(() => undefined);
    await processA.whenSaved();
    expect(processA.state).toBe('open');

    await processB.execute(context, 'x'); // refresh not due yet: still closed here
    expect(service.state.calls).toBe(2);
    clock.advance(1_000);
    await processB.execute(context, 'x'); // starts the refresh in the background; this call still runs
    await flush();
    expect(processB.state).toBe('open');
    const error = (await processB.execute(context, 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect(error.retryAfterMs).toBe(5_000 - 1_000);
    expect(service.state.calls).toBe(3);

    processA.reset();
    await processA.whenSaved();
    clock.advance(1_000);
    await processB.execute(context, 'x').catch(() => undefined);
    await flush();
    expect(processB.state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->closed']);
  });

  it('does not re-adopt its own saved state on refresh', async () => {
    const clock = new ManualClock();
    const store = new InMemoryCircuitStateStore();
    const service = controllable();
    const breaker = circuitBreaker(service.primitive, { failureThreshold: 1, breakDurationMs: 100, store, clock, refreshMs: 10 });
    const first = breaker.execute(new WorkflowContext({ clock }), 'x').catch(() => undefined);
    await flush();
    service.pending[0]!.reject(new Error('down'));
    await first;
    await breaker.whenSaved();
    clock.advance(100);
    const probe = breaker.execute(new WorkflowContext({ clock }), 'x');
    await flush();
    expect(breaker.state).toBe('half-open');
    clock.advance(50);
    await breaker.execute(new WorkflowContext({ clock }), 'x').catch(() => undefined); // rejected, but triggers a refresh
    await flush();
    service.pending[1]!.resolve('fine');
    await expect(probe).resolves.toBe('fine');
    expect(breaker.state).toBe('closed'); // the probe's result was not discarded by a refresh
  });

  it('restores a half-open snapshot as open with the break over, so the next call probes', async () => {
    const clock = new ManualClock(50_000);
    const snapshot: CircuitSnapshot = { version: 1, state: 'half-open', isolated: false, openedAtMs: 10_000, consecutiveFailures: 0, window: [], savedAtMs: 40_000 };
    const store = new InMemoryCircuitStateStore();
    await store.save('svc', snapshot);
    const breaker = circuitBreaker(ok, { store, key: 'svc', clock });
    const states: string[] = [];
    breaker.onStateChange(({ to }) => states.push(to));
    await expect(breaker.execute(new WorkflowContext({ clock }), 'x')).resolves.toBe('ok:x');
    expect(states).toEqual(['half-open', 'closed']);
  });

  it('restores isolation from the store', async () => {
    const store = new InMemoryCircuitStateStore();
    const first = circuitBreaker(ok, { store, key: 'iso' });
    first.isolate();
    await first.whenSaved();
    const breaker = circuitBreaker(ok, { store, key: 'iso' });
    await breaker.loadState();
    expect(breaker.state).toBe('open');
    const error = (await breaker.execute(new WorkflowContext(), 'x').catch((rejection: unknown) => rejection)) as BrokenCircuitError;
    expect(error.retryAfterMs).toBe(Infinity);
    expect(breaker.isIsolated).toBe(true);
  });

  it('treats a failing store load as no saved state and never fails a call on a failing save', async () => {
    const reported: unknown[] = [];
    const original = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void reported.push(error);
    try {
      const broken: CircuitStateStore = {
        specificationVersion: 1,
        load: () => Promise.reject(new Error('load failed')),
        save: () => Promise.reject(new Error('save failed')),
      };
      const clock = new ManualClock();
      const breaker = circuitBreaker(failing(), { failureThreshold: 1, store: broken, clock });
      await expect(breaker.execute(new WorkflowContext({ clock }), 'x')).rejects.toThrow('down');
      expect(breaker.state).toBe('open');
      await flush();
      expect(reported.map((error) => (error as Error).message).sort()).toEqual(['load failed', 'save failed']);
    } finally {
      globalThis.reportError = original;
    }
  });

  it('refuses invalid options at construction', () => {
    expect(() => new CircuitBreakerPrimitive(ok, { failureThreshold: 0 })).toThrow(InvalidOptionsError);
    // Mixing the modes does not compile (circuit-breaker-options.test-d.ts); a JavaScript caller still gets the error.
    expect(() => new CircuitBreakerPrimitive(ok, { failureThreshold: 3, failureRatio: 0.5 } as never)).toThrow(/failureThreshold/);
    expect(() => new CircuitBreakerPrimitive(ok, { failureRatio: 1.5 })).toThrow(/failureRatio/);
    expect(() => new CircuitBreakerPrimitive(ok, { minimumThroughput: 3 } as never)).toThrow(/minimumThroughput/);
    expect(() => new CircuitBreakerPrimitive(ok, { failureThreshold: 3, windowMs: 1_000 } as never)).toThrow('CircuitBreakerPrimitive: option "windowMs" needs failureRatio (ratio mode)');
    expect(() => new CircuitBreakerPrimitive(ok, { breakDurationMs: 0 })).toThrow(/breakDurationMs/);
    expect(() => new CircuitBreakerPrimitive(ok, { halfOpenMaxCalls: 0 })).toThrow(/halfOpenMaxCalls/);
    expect(() => new CircuitBreakerPrimitive(ok, { halfOpenSuccessThreshold: 1.5 })).toThrow(/halfOpenSuccessThreshold/);
    expect(() => new CircuitBreakerPrimitive(ok, { store: {} as never })).toThrow(/store/);
    expect(() => new CircuitBreakerPrimitive(ok, { refreshMs: 1_000 })).toThrow(/refreshMs/);
    expect(() => new CircuitBreakerPrimitive(ok, { store: new InMemoryCircuitStateStore(), refreshMs: 0 })).toThrow(/refreshMs/);
  });
});

describe('CircuitBreakerPrimitive half-open probes (property)', () => {
  type Operation = { readonly kind: 'call' } | { readonly kind: 'settle'; readonly index: number; readonly success: boolean } | { readonly kind: 'advance'; readonly ms: number };

  const operation: fc.Arbitrary<Operation> = fc.oneof(
    { arbitrary: fc.constant({ kind: 'call' as const }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('settle' as const), index: fc.nat(20), success: fc.boolean() }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 300 }) }), weight: 1 },
  );

  it('never has more than halfOpenMaxCalls probes in flight, whatever the sequence of calls, results and time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(operation, { minLength: 1, maxLength: 60 }),
        async (halfOpenMaxCalls, halfOpenSuccessThreshold, operations) => {
          const clock = new ManualClock();
          const context = new WorkflowContext({ clock });
          const pending: { resolve: (value: string) => void; reject: (error: unknown) => void }[] = [];
          let probesInPeriod = new Set<object>();
          const inner = step('service', () => {
            const handle = { resolve: (_value: string) => {}, reject: (_error: unknown) => {} };
            if (breaker.state === 'half-open') probesInPeriod.add(handle);
            pending.push(handle);
            return new Promise<string>((resolve, reject) => {
              handle.resolve = (value) => {
                probesInPeriod.delete(handle);
                resolve(value);
              };
              handle.reject = (error) => {
                probesInPeriod.delete(handle);
                reject(error);
              };
            });
          });
          const breaker: CircuitBreakerPrimitive<string, string> = circuitBreaker(inner, { failureThreshold: 1, breakDurationMs: 100, halfOpenMaxCalls, halfOpenSuccessThreshold, clock });
          breaker.onStateChange(() => (probesInPeriod = new Set()));
          const settled: Promise<unknown>[] = [];
          for (const op of operations) {
            if (op.kind === 'call') settled.push(breaker.execute(context, 'x').catch(() => undefined));
            else if (op.kind === 'advance') clock.advance(op.ms);
            else if (pending.length > 0) {
              const [handle] = pending.splice(op.index % pending.length, 1);
              if (op.success) handle!.resolve('ok');
              else handle!.reject(new Error('down'));
            }
            await flush();
            if (probesInPeriod.size > halfOpenMaxCalls) return false;
          }
          for (const handle of pending.splice(0)) handle.resolve('ok');
          await Promise.all(settled);
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('circuit breaker with a probe that never settles', () => {
  it('frees the probe slot when the probe caller is cancelled, so the breaker can recover', async () => {
    const clock = new ManualClock(1_000);
    let mode: 'fail' | 'hang' | 'ok' = 'fail';
    const upstream = step('upstream', () => (mode === 'fail' ? Promise.reject(new Error('down')) : mode === 'hang' ? new Promise<string>(() => {}) : Promise.resolve('ok')));
    const breaker = circuitBreaker(upstream, { failureThreshold: 1, breakDurationMs: 10, clock });
    await expect(breaker.execute(new WorkflowContext({ clock }), 1)).rejects.toThrow('down');
    clock.advance(10);
    // The probe's caller gives up (a deadline, a client that left); the upstream ignores the signal.
    mode = 'hang';
    const caller = new AbortController();
    const probe = breaker.execute(new WorkflowContext({ clock, signal: caller.signal }), 1);
    caller.abort(new Error('client left'));
    mode = 'ok';
    // The break is over and the stuck probe no longer holds the only slot: a new probe goes through.
    await expect(breaker.execute(new WorkflowContext({ clock }), 1)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    void probe.catch(() => {});
  });
});

describe('CircuitBreakerPrimitive with the built-in metrics', () => {
  it('counts a closed-path call without a promise hop of its own: metered, it settles as soon as unmetered', async () => {
    const { metrics } = await import('@tta/primitives');
    const turnsToSettle = (instrument: boolean): Promise<number> => {
      const guarded = circuitBreaker(step('hop-call', async (value: number) => value + 1, { instrument: false }), { instrument, name: 'hop-breaker' });
      return countTurns(guarded.execute(new WorkflowContext(), 1));
    };
    metrics.reset();
    const unmetered = await turnsToSettle(false);
    const metered = await turnsToSettle(true);
    expect(metered).toBe(unmetered);
    expect(metrics.snapshot()['hop-breaker']).toMatchObject({ count: 1, successes: 1 });
  });

  it('records closed failures, open rejections and calls after a restore once each', async () => {
    const { metrics } = await import('@tta/primitives');
    metrics.reset();
    const failing = step('always-failing', async (): Promise<number> => Promise.reject(new Error('down')));
    const breaker = circuitBreaker(failing, { name: 'metered-breaker', failureThreshold: 1, breakDurationMs: 60_000 });
    await expect(breaker.execute(new WorkflowContext(), 1)).rejects.toThrow('down');
    await expect(breaker.execute(new WorkflowContext(), 1)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(metrics.snapshot()['metered-breaker']).toMatchObject({ count: 2, successes: 0, failures: 2 });

    const restored = circuitBreaker(step('fine', async (value: number) => value), { name: 'restored-breaker', store: new InMemoryCircuitStateStore(), key: 'metered' });
    await expect(restored.execute(new WorkflowContext(), 7)).resolves.toBe(7);
    await expect(restored.execute(new WorkflowContext(), 8)).resolves.toBe(8);
    expect(metrics.snapshot()['restored-breaker']).toMatchObject({ count: 2, successes: 2, failures: 0 });
  });
});
