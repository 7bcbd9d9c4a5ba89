// Fault matrix of the recovery primitives (retry, fallback, timeout, circuit breaker, compensation):
// each cell injects one fault and asserts the outcome (error identity or class, inner calls, no
// attempt after an abort, cancellation reaching the inner work), with nothing left behind.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  CompensationError,
  DeadlineExceededError,
  FallbackExhaustedError,
  TimeoutError,
  WorkflowContext,
  circuitBreaker,
  compensation,
  fallback,
  parallel,
  retry,
  timeout,
  type AnyPrimitive,
} from '@tta/primitives';
import { describeFaultMatrix, flush, fulfilment, probe, rejection, type FaultCell } from './support/fault-harness.js';

const boom = (label: string): Error => new Error(`injected ${label}`);
const callerReason = (): Error => new Error('caller aborted');
const retryOptions = { maxAttempts: 3, initialDelayMs: 100, backoff: 'constant', jitter: 'none' } as const;

const retryCells: FaultCell[] = [
  {
    primitive: 'retry',
    fault: 'sync throw in a step',
    expected: 'the same error after maxAttempts calls, attempts recorded on it',
    run: async ({ context, settle, tick }) => {
      const error = boom('throw');
      const inner = probe('throws', { kind: 'throw', error });
      const outcome = settle(retry(inner.primitive, retryOptions).execute(context, 1));
      await tick(1_000);
      expect(rejection(await outcome)).toBe(error);
      expect(inner.calls).toBe(3);
      expect((error as { attempts?: number }).attempts).toBe(3);
    },
  },
  {
    primitive: 'retry',
    fault: 'rejected promise',
    expected: 'the same error after maxAttempts calls',
    run: async ({ context, settle, tick }) => {
      const error = boom('reject');
      const inner = probe('rejects', { kind: 'reject', error });
      const outcome = settle(retry(inner.primitive, retryOptions).execute(context, 1));
      await tick(1_000);
      expect(rejection(await outcome)).toBe(error);
      expect(inner.calls).toBe(3);
    },
  },
  {
    primitive: 'retry',
    fault: 'rejected then success',
    expected: 'the value of the successful attempt',
    run: async ({ context, settle, tick }) => {
      const inner = probe('flaky', { kind: 'reject', error: boom('once') }, { kind: 'ok', value: 'second' });
      const outcome = settle(retry(inner.primitive, retryOptions).execute(context, 1));
      await tick(100);
      expect(fulfilment(await outcome)).toBe('second');
      expect(inner.calls).toBe(2);
    },
  },
  {
    primitive: 'retry',
    fault: 'never-settling attempt under a timeout',
    expected: 'TimeoutError; the attempt signal aborted with that error; no further attempt',
    run: async ({ context, settle, tick }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const outcome = settle(timeout(retry(inner.primitive, retryOptions), { timeoutMs: 50 }).execute(context, 1));
      await tick(50);
      const error = rejection(await outcome);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(inner.signals[0]!.aborted).toBe(true);
      expect(inner.signals[0]!.reason).toBe(error);
      await tick(10_000);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'retry',
    fault: 'abort before the call',
    expected: "the caller's reason, no attempt",
    run: async ({ controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const inner = probe('never-called');
      expect(rejection(await settle(retry(inner.primitive, retryOptions).execute(context, 1)))).toBe(reason);
      expect(inner.calls).toBe(0);
    },
  },
  {
    primitive: 'retry',
    fault: 'abort during an attempt',
    expected: "the caller's reason, the attempt's signal fired, no attempt after",
    run: async ({ controller, context, settle, tick }) => {
      const inner = probe('cooperative', { kind: 'hang-cooperative' });
      const outcome = settle(retry(inner.primitive, retryOptions).execute(context, 1));
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      expect(inner.signals[0]!.reason).toBe(reason);
      await tick(10_000);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'retry',
    fault: 'abort during the wait between attempts',
    expected: "the caller's reason at once, no attempt after",
    run: async ({ controller, context, settle, tick }) => {
      const inner = probe('rejects', { kind: 'reject', error: boom('wait') });
      const outcome = settle(retry(inner.primitive, { ...retryOptions, initialDelayMs: 1_000 }).execute(context, 1));
      await tick(500);
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      await tick(10_000);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'retry',
    fault: 'abort after success',
    expected: 'the value; the finished attempt is not aborted',
    run: async ({ controller, context, settle }) => {
      const inner = probe('ok', { kind: 'ok', value: 'done' });
      const outcome = await settle(retry(inner.primitive, retryOptions).execute(context, 1));
      controller.abort(callerReason());
      expect(fulfilment(outcome)).toBe('done');
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'retry',
    fault: 'timeout during the retry wait',
    expected: 'TimeoutError at the budget, no attempt after',
    run: async ({ context, settle, tick }) => {
      const inner = probe('rejects', { kind: 'reject', error: boom('budget') });
      const outcome = settle(timeout(retry(inner.primitive, { ...retryOptions, initialDelayMs: 1_000 }), { timeoutMs: 500 }).execute(context, 1));
      await tick(500);
      expect(TimeoutError.isInstance(rejection(await outcome))).toBe(true);
      await tick(10_000);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'retry',
    fault: 'context deadline during the retry wait',
    expected: 'DeadlineExceededError, no attempt after',
    run: async ({ newContext, settle, tick }) => {
      const inner = probe('rejects', { kind: 'reject', error: boom('deadline') });
      const outcome = settle(retry(inner.primitive, { ...retryOptions, initialDelayMs: 1_000 }).execute(newContext({ timeoutMs: 300 }), 1));
      await tick(300);
      expect(DeadlineExceededError.isInstance(rejection(await outcome))).toBe(true);
      await tick(10_000);
      expect(inner.calls).toBe(1);
    },
  },
  {
    primitive: 'retry',
    fault: 'retryOn that throws',
    expected: "retryOn's error, no second attempt",
    run: async ({ context, settle, tick }) => {
      const predicateError = boom('retryOn');
      const inner = probe('rejects', { kind: 'reject', error: boom('first') });
      const outcome = settle(
        retry(inner.primitive, {
          ...retryOptions,
          retryOn: () => {
            throw predicateError;
          },
        }).execute(context, 1),
      );
      await tick(1_000);
      expect(rejection(await outcome)).toBe(predicateError);
      expect(inner.calls).toBe(1);
    },
  },
];

const fallbackCells: FaultCell[] = [
  {
    primitive: 'fallback',
    fault: 'sync throw in the primary',
    expected: "the fallback's value",
    run: async ({ context, settle }) => {
      const primary = probe('primary', { kind: 'throw', error: boom('primary') });
      const backup = probe('backup', { kind: 'ok', value: 'backup' });
      expect(fulfilment(await settle(fallback(primary.primitive, [backup.primitive]).execute(context, 1)))).toBe('backup');
      expect([primary.calls, backup.calls]).toEqual([1, 1]);
    },
  },
  {
    primitive: 'fallback',
    fault: 'rejected primary, fallback that also fails',
    expected: 'FallbackExhaustedError keeping both causes in order',
    run: async ({ context, settle }) => {
      const first = boom('primary');
      const second = boom('fallback');
      const primary = probe('primary', { kind: 'reject', error: first });
      const backup = probe('backup', { kind: 'throw', error: second });
      const error = rejection(await settle(fallback(primary.primitive, [backup.primitive]).execute(context, 1)));
      expect(FallbackExhaustedError.isInstance(error)).toBe(true);
      expect((error as AggregateError).errors).toEqual([first, second]);
      expect((error as AggregateError).errors[0]).toBe(first);
    },
  },
  {
    primitive: 'fallback',
    fault: 'never-settling primary under a timeout',
    expected: "the fallback's value; the primary's signal aborted with TimeoutError",
    run: async ({ context, settle, tick }) => {
      const primary = probe('primary', { kind: 'hang' });
      const backup = probe('backup', { kind: 'ok', value: 'backup' });
      const outcome = settle(fallback(timeout(primary.primitive, { timeoutMs: 50 }), [backup.primitive]).execute(context, 1));
      await tick(50);
      expect(fulfilment(await outcome)).toBe('backup');
      expect(TimeoutError.isInstance(primary.signals[0]!.reason)).toBe(true);
    },
  },
  {
    primitive: 'fallback',
    fault: 'abort before the call',
    expected: "the caller's reason, nothing called",
    run: async ({ controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const primary = probe('primary');
      const backup = probe('backup');
      expect(rejection(await settle(fallback(primary.primitive, [backup.primitive]).execute(context, 1)))).toBe(reason);
      expect([primary.calls, backup.calls]).toEqual([0, 0]);
    },
  },
  {
    primitive: 'fallback',
    fault: 'abort during the primary',
    expected: "the caller's reason, the fallback is not tried",
    run: async ({ controller, context, settle }) => {
      const primary = probe('primary', { kind: 'hang-cooperative' });
      const backup = probe('backup');
      const outcome = settle(fallback(primary.primitive, [backup.primitive]).execute(context, 1));
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      expect(backup.calls).toBe(0);
    },
  },
  {
    primitive: 'fallback',
    fault: 'abort during the fallback',
    expected: "the caller's reason; the fallback's signal fired",
    run: async ({ controller, context, settle }) => {
      const primary = probe('primary', { kind: 'reject', error: boom('primary') });
      const backup = probe('backup', { kind: 'hang-cooperative' });
      const outcome = settle(fallback(primary.primitive, [backup.primitive]).execute(context, 1));
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      expect(backup.signals[0]!.reason).toBe(reason);
    },
  },
  {
    primitive: 'fallback',
    fault: 'abort after success',
    expected: 'the value',
    run: async ({ controller, context, settle }) => {
      const primary = probe('primary', { kind: 'ok', value: 'primary' });
      const outcome = await settle(fallback(primary.primitive, [probe('backup').primitive]).execute(context, 1));
      controller.abort(callerReason());
      expect(fulfilment(outcome)).toBe('primary');
    },
  },
  {
    primitive: 'fallback',
    fault: 'fallbackOn refuses the error',
    expected: 'the original error, unwrapped',
    run: async ({ context, settle }) => {
      const first = boom('primary');
      const backup = probe('backup');
      const primitive = fallback(probe('primary', { kind: 'reject', error: first }).primitive, [backup.primitive], { fallbackOn: () => false });
      expect(rejection(await settle(primitive.execute(context, 1)))).toBe(first);
      expect(backup.calls).toBe(0);
    },
  },
];

const timeoutCells: FaultCell[] = [
  {
    primitive: 'timeout',
    fault: 'sync throw in the inner step',
    expected: 'the same error, the timer cleared',
    run: async ({ context, settle }) => {
      const error = boom('throw');
      expect(rejection(await settle(timeout(probe('throws', { kind: 'throw', error }).primitive, { timeoutMs: 100 }).execute(context, 1)))).toBe(error);
    },
  },
  {
    primitive: 'timeout',
    fault: 'rejected promise',
    expected: 'the same error, the inner signal not aborted',
    run: async ({ context, settle }) => {
      const error = boom('reject');
      const inner = probe('rejects', { kind: 'reject', error });
      expect(rejection(await settle(timeout(inner.primitive, { timeoutMs: 100 }).execute(context, 1)))).toBe(error);
      expect(inner.signals[0]!.aborted).toBe(false);
    },
  },
  {
    primitive: 'timeout',
    fault: 'never-settling inner work',
    expected: 'TimeoutError at timeoutMs; the inner signal aborted with that same error',
    run: async ({ context, settle, tick }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const outcome = settle(timeout(inner.primitive, { timeoutMs: 100 }).execute(context, 1));
      await tick(99);
      expect(inner.signals[0]!.aborted).toBe(false);
      await tick(1);
      const error = rejection(await outcome);
      expect(TimeoutError.isInstance(error)).toBe(true);
      expect(inner.signals[0]!.reason).toBe(error);
    },
  },
  {
    primitive: 'timeout',
    fault: 'abort before the call',
    expected: "the caller's reason, not a TimeoutError",
    run: async ({ controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const inner = probe('never-called');
      expect(rejection(await settle(timeout(inner.primitive, { timeoutMs: 100 }).execute(context, 1)))).toBe(reason);
      expect(inner.calls).toBe(0);
    },
  },
  {
    primitive: 'timeout',
    fault: 'abort during the inner work',
    expected: "the caller's reason (distinct from a timeout); the inner signal carries it",
    run: async ({ controller, context, settle, tick }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const outcome = settle(timeout(inner.primitive, { timeoutMs: 100 }).execute(context, 1));
      await tick(10);
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      expect(inner.signals[0]!.reason).toBe(reason);
    },
  },
  {
    primitive: 'timeout',
    fault: 'abort after success',
    expected: 'the value; the inner signal never aborted',
    run: async ({ controller, context, settle, tick }) => {
      const inner = probe('slow', { kind: 'slow', ms: 10, value: 'late' });
      const outcome = settle(timeout(inner.primitive, { timeoutMs: 100 }).execute(context, 1));
      await tick(10);
      expect(fulfilment(await outcome)).toBe('late');
      controller.abort(callerReason());
      await tick(1_000);
      expect(inner.signals[0]!.aborted).toBe(false);
    },
  },
  {
    primitive: 'timeout',
    fault: 'timeout whose fallback also fails',
    expected: "the fallback's error",
    run: async ({ context, settle, tick }) => {
      const fallbackError = boom('timeout fallback');
      const primitive = timeout(probe('hangs', { kind: 'hang' }).primitive, { timeoutMs: 100, fallback: probe('backup', { kind: 'reject', error: fallbackError }).primitive });
      const outcome = settle(primitive.execute(context, 1));
      await tick(100);
      expect(rejection(await outcome)).toBe(fallbackError);
    },
  },
  {
    primitive: 'timeout',
    fault: 'never-settling parallel branches',
    expected: 'TimeoutError; every branch signal aborted with it',
    run: async ({ context, settle, tick }) => {
      const branches = [probe('a', { kind: 'hang' }), probe('b', { kind: 'hang' }), probe('c', { kind: 'hang-cooperative' })];
      const outcome = settle(timeout(parallel(...(branches.map((branch) => branch.primitive) as [AnyPrimitive, AnyPrimitive, AnyPrimitive])), { timeoutMs: 100 }).execute(context, 1));
      await tick(100);
      const error = rejection(await outcome);
      expect(TimeoutError.isInstance(error)).toBe(true);
      for (const branch of branches) expect(branch.signals[0]!.reason).toBe(error);
    },
  },
];

const breakerOptions = { failureThreshold: 2, breakDurationMs: 1_000 } as const;

const breakerCells: FaultCell[] = [
  {
    primitive: 'circuitBreaker',
    fault: 'sync throw until the circuit opens',
    expected: 'the errors, then BrokenCircuitError with retryAfterMs without calling the inner step',
    run: async ({ clock, newContext, settle }) => {
      const error = boom('throw');
      const inner = probe('throws', { kind: 'throw', error });
      const breaker = circuitBreaker(inner.primitive, { ...breakerOptions, clock });
      expect(rejection(await settle(breaker.execute(newContext(), 1)))).toBe(error);
      expect(rejection(await settle(breaker.execute(newContext(), 1)))).toBe(error);
      const broken = rejection(await settle(breaker.execute(newContext(), 1)));
      expect(BrokenCircuitError.isInstance(broken)).toBe(true);
      expect((broken as BrokenCircuitError).retryAfterMs).toBe(1_000);
      expect(inner.calls).toBe(2);
      expect(breaker.state).toBe('open');
    },
  },
  {
    primitive: 'circuitBreaker',
    fault: 'rejected promise, then a failing half-open probe',
    expected: 'open -> half-open probe fails -> open again, the probe called once',
    run: async ({ clock, newContext, settle }) => {
      const error = boom('reject');
      const inner = probe('rejects', { kind: 'reject', error });
      const breaker = circuitBreaker(inner.primitive, { ...breakerOptions, clock });
      for (let call = 0; call < 2; call++) await settle(breaker.execute(newContext(), 1));
      expect(breaker.state).toBe('open');
      await clock.tickAsync(1_000);
      expect(rejection(await settle(breaker.execute(newContext(), 1)))).toBe(error);
      expect(inner.calls).toBe(3);
      expect(breaker.state).toBe('open');
    },
  },
  {
    primitive: 'circuitBreaker',
    fault: 'never-settling inner work under a timeout',
    expected: 'TimeoutError counts as a failure and opens the circuit',
    run: async ({ clock, newContext, settle }) => {
      const inner = probe('hangs', { kind: 'hang' });
      const breaker = circuitBreaker(timeout(inner.primitive, { timeoutMs: 50 }), { ...breakerOptions, clock });
      for (let call = 0; call < 2; call++) {
        const outcome = settle(breaker.execute(newContext(), 1));
        await clock.tickAsync(50);
        expect(TimeoutError.isInstance(rejection(await outcome))).toBe(true);
      }
      expect(breaker.state).toBe('open');
      expect(inner.signals.every((signal) => TimeoutError.isInstance(signal.reason))).toBe(true);
    },
  },
  {
    primitive: 'circuitBreaker',
    fault: 'abort before the call (repeated)',
    expected: "the caller's reason; aborted calls count as nothing",
    run: async ({ clock, controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const inner = probe('never-called');
      const breaker = circuitBreaker(inner.primitive, { ...breakerOptions, clock });
      for (let call = 0; call < 5; call++) expect(rejection(await settle(breaker.execute(context, 1)))).toBe(reason);
      expect(inner.calls).toBe(0);
      expect(breaker.state).toBe('closed');
    },
  },
  {
    primitive: 'circuitBreaker',
    fault: 'abort during the inner work (repeated)',
    expected: "the caller's reason; the circuit stays closed",
    run: async ({ clock, settle }) => {
      const inner = probe('cooperative', { kind: 'hang-cooperative' });
      const breaker = circuitBreaker(inner.primitive, { ...breakerOptions, clock });
      for (let call = 0; call < 3; call++) {
        const controller = new AbortController();
        const outcome = settle(breaker.execute(new WorkflowContext({ clock, signal: controller.signal }), 1));
        await flush();
        const reason = callerReason();
        controller.abort(reason);
        expect(rejection(await outcome)).toBe(reason);
      }
      expect(inner.calls).toBe(3);
      expect(breaker.state).toBe('closed');
    },
  },
  {
    primitive: 'circuitBreaker',
    fault: 'abort during a half-open probe',
    expected: "the caller's reason; the probe slot is freed, so the next call is admitted as a probe and closes the circuit",
    run: async ({ clock, newContext, settle }) => {
      const error = boom('reject');
      const inner = probe('fails-twice-then-waits-then-ok', { kind: 'reject', error }, { kind: 'reject', error }, { kind: 'hang-cooperative' }, { kind: 'ok', value: 'recovered' });
      const breaker = circuitBreaker(inner.primitive, { ...breakerOptions, clock });
      for (let call = 0; call < 2; call++) await settle(breaker.execute(newContext(), 1));
      await clock.tickAsync(1_000);
      const prober = new AbortController();
      const probing = settle(breaker.execute(new WorkflowContext({ clock, signal: prober.signal }), 1));
      await flush();
      const reason = callerReason();
      prober.abort(reason);
      expect(rejection(await probing)).toBe(reason);
      expect(fulfilment(await settle(breaker.execute(newContext(), 1)))).toBe('recovered');
      expect(breaker.state).toBe('closed');
      expect(inner.calls).toBe(4);
    },
  },
  {
    primitive: 'circuitBreaker',
    fault: 'abort after success',
    expected: 'the value, the circuit closed',
    run: async ({ clock, controller, context, settle }) => {
      const breaker = circuitBreaker(probe('ok', { kind: 'ok', value: 'fine' }).primitive, { ...breakerOptions, clock });
      const outcome = await settle(breaker.execute(context, 1));
      controller.abort(callerReason());
      expect(fulfilment(outcome)).toBe('fine');
      expect(breaker.state).toBe('closed');
    },
  },
];

const compensationCells: FaultCell[] = [
  {
    primitive: 'compensation',
    fault: 'sync throw in the second step',
    expected: 'the same error; the first step undone once with its input and output',
    run: async ({ context, settle }) => {
      const error = boom('step 2');
      const first = probe('reserve', { kind: 'ok', value: 'reserved' });
      const undoFirst = probe('release', { kind: 'ok' });
      const undoSecond = probe('refund', { kind: 'ok' });
      const saga = compensation({
        steps: [
          { step: first.primitive, undo: undoFirst.primitive },
          { step: probe('charge', { kind: 'throw', error }).primitive, undo: undoSecond.primitive },
        ],
      } as never) as AnyPrimitive;
      expect(rejection(await settle(saga.execute(context, 'order')))).toBe(error);
      expect(undoFirst.inputs).toEqual([{ input: 'order', output: 'reserved' }]);
      expect(undoSecond.calls).toBe(0);
    },
  },
  {
    primitive: 'compensation',
    fault: 'rejected step and an undo that fails',
    expected: 'CompensationError with the step error as cause and the undo error reported; later undos still run',
    run: async ({ context, settle }) => {
      const error = boom('step 3');
      const undoError = boom('undo 2');
      const undoFirst = probe('undo-1');
      const saga = compensation({
        steps: [
          { step: probe('s1').primitive, undo: undoFirst.primitive },
          { step: probe('s2').primitive, undo: probe('undo-2', { kind: 'reject', error: undoError }).primitive },
          { step: probe('s3', { kind: 'reject', error }).primitive, undo: probe('undo-3').primitive },
        ],
      } as never) as AnyPrimitive;
      const failure = rejection(await settle(saga.execute(context, 1)));
      expect(CompensationError.isInstance(failure)).toBe(true);
      expect((failure as CompensationError).cause).toBe(error);
      expect((failure as CompensationError).undoErrors).toEqual([undoError]);
      expect(undoFirst.calls).toBe(1);
    },
  },
  {
    primitive: 'compensation',
    fault: 'undo that never settles',
    expected: 'CompensationError reporting a TimeoutError of the undo (undoTimeoutMs)',
    run: async ({ clock, context, settle, tick }) => {
      const error = boom('step 2');
      const saga = compensation({
        steps: [
          { step: probe('s1').primitive, undo: probe('stuck-undo', { kind: 'hang' }).primitive },
          { step: probe('s2', { kind: 'reject', error }).primitive, undo: probe('undo-2').primitive },
        ],
        undoTimeoutMs: 200,
        clock,
      } as never) as AnyPrimitive;
      const outcome = settle(saga.execute(context, 1));
      await tick(200);
      const failure = rejection(await outcome);
      expect(CompensationError.isInstance(failure)).toBe(true);
      expect((failure as CompensationError).cause).toBe(error);
      expect(TimeoutError.isInstance((failure as CompensationError).undoErrors[0])).toBe(true);
    },
  },
  {
    primitive: 'compensation',
    fault: 'never-settling step under a timeout',
    expected: 'TimeoutError; the completed step is still undone',
    run: async ({ context, settle, tick }) => {
      const undoFirst = probe('undo-1');
      const saga = compensation({
        steps: [
          { step: probe('s1').primitive, undo: undoFirst.primitive },
          { step: probe('s2', { kind: 'hang-cooperative' }).primitive, undo: probe('undo-2').primitive },
        ],
      } as never) as AnyPrimitive;
      const outcome = settle(timeout(saga, { timeoutMs: 100 }).execute(context, 1));
      await tick(100);
      expect(TimeoutError.isInstance(rejection(await outcome))).toBe(true);
      await flush();
      expect(undoFirst.calls).toBe(1);
    },
  },
  {
    primitive: 'compensation',
    fault: 'abort before the call',
    expected: "the caller's reason, no step and no undo",
    run: async ({ controller, context, settle }) => {
      const reason = callerReason();
      controller.abort(reason);
      const first = probe('s1');
      const undo = probe('undo-1');
      const saga = compensation({ steps: [{ step: first.primitive, undo: undo.primitive }] } as never) as AnyPrimitive;
      expect(rejection(await settle(saga.execute(context, 1)))).toBe(reason);
      expect([first.calls, undo.calls]).toEqual([0, 0]);
    },
  },
  {
    primitive: 'compensation',
    fault: 'abort during the second step',
    expected: "the caller's reason; the first step undone although the run was aborted",
    run: async ({ controller, context, settle }) => {
      const undoFirst = probe('undo-1');
      const second = probe('s2', { kind: 'hang-cooperative' });
      const saga = compensation({
        steps: [
          { step: probe('s1').primitive, undo: undoFirst.primitive },
          { step: second.primitive, undo: probe('undo-2').primitive },
        ],
      } as never) as AnyPrimitive;
      const outcome = settle(saga.execute(context, 1));
      await flush();
      const reason = callerReason();
      controller.abort(reason);
      expect(rejection(await outcome)).toBe(reason);
      expect(second.signals[0]!.reason).toBe(reason);
      expect(undoFirst.calls).toBe(1);
      expect(undoFirst.signals[0]!.aborted).toBe(false);
    },
  },
  {
    primitive: 'compensation',
    fault: 'abort after success',
    expected: 'the value, nothing undone',
    run: async ({ controller, context, settle }) => {
      const undo = probe('undo-1');
      const saga = compensation({ steps: [{ step: probe('s1', { kind: 'ok', value: 'done' }).primitive, undo: undo.primitive }] } as never) as AnyPrimitive;
      const outcome = await settle(saga.execute(context, 1));
      controller.abort(callerReason());
      await flush();
      expect(fulfilment(outcome)).toBe('done');
      expect(undo.calls).toBe(0);
    },
  },
];

const matrix: Record<string, FaultCell[]> = {
  retry: retryCells,
  fallback: fallbackCells,
  timeout: timeoutCells,
  circuitBreaker: breakerCells,
  compensation: compensationCells,
};

describeFaultMatrix('fault matrix: recovery primitives', matrix);

describe('findings of the fault matrix', () => {
  // A context made with `timeoutMs`/`deadline` links its abort scope to the caller's signal when a
  // step first reads `context.signal`, and never unlinks it: one listener per run stays on the
  // caller's signal. With a long-lived signal (a server's shutdown signal) they pile up.
  it("a context with a deadline leaves no listener on the caller's signal once its run is over", async () => {
    const controller = new AbortController();
    const readsSignal = probe('reads-signal');
    for (let run = 0; run < 10; run++) await readsSignal.primitive.execute(new WorkflowContext({ signal: controller.signal, timeoutMs: 60_000 }), run);
    expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
  });
});
