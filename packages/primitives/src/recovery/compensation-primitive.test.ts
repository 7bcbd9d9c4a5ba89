import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WorkflowContext, step, InvalidOptionsError, type WorkflowPrimitive, type InputOf, type OutputOf } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { CompensationPrimitive, compensation, type UndoInput } from './compensation-primitive.js';
import { timeout } from './timeout-primitive.js';
import { CompensationError } from '../errors/compensation-error.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { expectNoLeakedResources } from '../../test-support/leak-check.js';

afterEach(expectNoLeakedResources);

interface Order {
  readonly id: string;
}
interface Reservation {
  readonly orderId: string;
  readonly seat: number;
}
interface Payment {
  readonly reservation: Reservation;
  readonly paymentId: string;
}

/** A booking saga whose steps and undos write to `log`. */
function booking(log: string[], overrides: { charge?: WorkflowPrimitive<Reservation, Payment>; refund?: WorkflowPrimitive<UndoInput<Reservation, Payment>, unknown> } = {}) {
  const reserve = step('reserve', (order: Order) => {
    log.push(`reserve ${order.id}`);
    return { orderId: order.id, seat: 7 };
  });
  const release = step('release', ({ input, output }: UndoInput<Order, Reservation>) => {
    log.push(`release seat ${output.seat} of ${input.id}`);
  });
  const charge =
    overrides.charge ??
    step('charge', (reservation: Reservation) => {
      log.push(`charge ${reservation.orderId}`);
      return { reservation, paymentId: 'p1' };
    });
  const refund =
    overrides.refund ??
    step('refund', ({ output }: UndoInput<Reservation, Payment>) => {
      log.push(`refund ${output.paymentId}`);
    });
  const notify = (fail: boolean) =>
    step('notify', (payment: Payment): string => {
      log.push('notify');
      if (fail) throw new Error('mail server down');
      return `confirmed ${payment.paymentId}`;
    });
  const unnotify = step('unnotify', () => {
    log.push('unnotify');
  });
  return { reserve, release, charge, refund, notify, unnotify };
}

describe('CompensationPrimitive', () => {
  it('chains outputs from step to step and undoes nothing on success', async () => {
    const log: string[] = [];
    const parts = booking(log);
    const saga = compensation({
      steps: [
        { step: parts.reserve, undo: parts.release },
        { step: parts.charge, undo: parts.refund },
        { step: parts.notify(false), undo: parts.unnotify },
      ],
    });
    expectTypeOf<InputOf<typeof saga>>().toEqualTypeOf<Order>();
    expectTypeOf<OutputOf<typeof saga>>().toEqualTypeOf<string>();
    await expect(saga.execute(new WorkflowContext(), { id: 'o1' })).resolves.toBe('confirmed p1');
    expect(log).toEqual(['reserve o1', 'charge o1', 'notify']);
  });

  it('undoes the completed steps in reverse order on failure, each with its own input and output, then rethrows the original error', async () => {
    const log: string[] = [];
    const parts = booking(log);
    const saga = compensation({
      steps: [
        { step: parts.reserve, undo: parts.release },
        { step: parts.charge, undo: parts.refund },
        { step: parts.notify(true), undo: parts.unnotify },
      ],
    });
    const events: unknown[] = [];
    saga.onCompensate((event) => events.push({ undone: event.undone, undoErrors: event.undoErrors }));
    await expect(saga.execute(new WorkflowContext(), { id: 'o1' })).rejects.toThrow('mail server down');
    expect(log).toEqual(['reserve o1', 'charge o1', 'notify', 'refund p1', 'release seat 7 of o1']);
    expect(events).toEqual([{ undone: 2, undoErrors: [] }]);
  });

  it('reports undo failures in a CompensationError with the original error, and still runs the other undos', async () => {
    const log: string[] = [];
    const refundFailure = new Error('refund API down');
    const parts = booking(log, {
      refund: step('refund', (): void => {
        throw refundFailure;
      }),
    });
    const saga = compensation({
      steps: [
        { step: parts.reserve, undo: parts.release },
        { step: parts.charge, undo: parts.refund },
        { step: parts.notify(true), undo: parts.unnotify },
      ],
    });
    const error = (await saga.execute(new WorkflowContext(), { id: 'o1' }).catch((rejection: unknown) => rejection)) as CompensationError;
    expect(CompensationError.isInstance(error)).toBe(true);
    expect(error.code).toBe('COMPENSATION_FAILED');
    expect((error.originalError as Error).message).toBe('mail server down');
    expect(error.cause).toBe(error.originalError);
    expect(error.undoErrors).toEqual([refundFailure]);
    expect(log.at(-1)).toBe('release seat 7 of o1');
  });

  it('compensates on abort: stops before the next step and undoes with a context that is not aborted', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const undoSignals: boolean[] = [];
    const parts = booking(log, {
      charge: step('charge', (reservation: Reservation) => {
        log.push(`charge ${reservation.orderId}`);
        controller.abort(reason);
        return { reservation, paymentId: 'p1' };
      }),
      refund: step('refund', ({ output }: UndoInput<Reservation, Payment>, context) => {
        undoSignals.push(context.aborted, context.signal.aborted);
        log.push(`refund ${output.paymentId}`);
      }),
    });
    const saga = compensation({
      steps: [
        { step: parts.reserve, undo: parts.release },
        { step: parts.charge, undo: parts.refund },
        { step: parts.notify(false), undo: parts.unnotify },
      ],
    });
    await expect(saga.execute(new WorkflowContext({ signal: controller.signal }), { id: 'o1' })).rejects.toBe(reason);
    expect(log).toEqual(['reserve o1', 'charge o1', 'refund p1', 'release seat 7 of o1']);
    expect(undoSignals).toEqual([false, false]);
  });

  it('compensates on timeout under timeout(compensation(...)): the interrupted step is not undone, the completed ones are', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const parts = booking(log);
    const slowNotify = step('notify', (_payment: Payment, context) => {
      log.push('notify started');
      const signal = context.signal;
      return new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    });
    const saga = compensation({
      steps: [
        { step: parts.reserve, undo: parts.release },
        { step: parts.charge, undo: parts.refund },
        { step: slowNotify, undo: parts.unnotify },
      ],
    });
    const compensated = new Promise<unknown>((resolve) => saga.onCompensate((event) => resolve(event.error)));
    const run = timeout(saga, { timeoutMs: 5_000, clock }).execute(new WorkflowContext({ clock }), { id: 'o1' });
    const settled = run.catch((error: unknown) => error);
    await clock.tickAsync(5_000);
    const error = await settled;
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(await compensated).toBe(error);
    expect(log).toEqual(['reserve o1', 'charge o1', 'notify started', 'refund p1', 'release seat 7 of o1']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('bounds each undo by undoTimeoutMs and reports a hanging undo as a TimeoutError', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const parts = booking(log, { refund: step('refund', () => new Promise<void>(() => {})) });
    const saga = compensation({
      undoTimeoutMs: 1_000,
      clock,
      steps: [
        { step: parts.reserve, undo: parts.release },
        { step: parts.charge, undo: parts.refund },
        { step: parts.notify(true), undo: parts.unnotify },
      ],
    });
    const settled = saga.execute(new WorkflowContext({ clock }), { id: 'o1' }).catch((error: unknown) => error);
    await clock.tickAsync(1_000);
    const error = (await settled) as CompensationError;
    expect(CompensationError.isInstance(error)).toBe(true);
    expect(error.undoErrors).toHaveLength(1);
    expect(TimeoutError.isInstance(error.undoErrors[0])).toBe(true);
    expect(log.at(-1)).toBe('release seat 7 of o1');
  });

  it('reports the compensation to the instrumentation seam', async () => {
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const parts = booking([]);
      const saga = compensation({ steps: [{ step: parts.reserve, undo: parts.release }, { step: parts.charge, undo: parts.refund }, { step: parts.notify(true), undo: parts.unnotify }] });
      await saga.execute(new WorkflowContext(), { id: 'o1' }).catch(() => undefined);
      expect(seen).toEqual([expect.objectContaining({ type: 'compensate', undone: 2, undoErrors: [] })]);
    } finally {
      registration.dispose();
    }
  });

  it('rejects steps whose types do not chain, at compile time', () => {
    const parts = booking([]);
    const wrong = step('wrong', (count: number) => count + 1);
    const undoWrong = step('undo-wrong', (_undo: UndoInput<number, number>) => undefined);
    // @ts-expect-error charge outputs a Payment, not a number
    compensation({ steps: [{ step: parts.charge, undo: parts.refund }, { step: wrong, undo: undoWrong }] });
    // @ts-expect-error the undo must accept { input: Order, output: Reservation }
    compensation({ steps: [{ step: parts.reserve, undo: parts.refund }] });
  });

  it('refuses invalid options at construction', () => {
    const parts = booking([]);
    expect(() => new CompensationPrimitive({ steps: [] as never })).toThrow(InvalidOptionsError);
    expect(() => new CompensationPrimitive({ steps: [{ step: parts.reserve }] as never })).toThrow(/steps\[0\]\.undo/);
    expect(() => compensation({ steps: [{ step: parts.reserve, undo: parts.release }], undoTimeoutMs: 0 })).toThrow(/undoTimeoutMs/);
  });
});

describe('CompensationPrimitive with a step that ignores its signal', () => {
  it('undoes the completed steps at the timeout without waiting for the step in flight, and undoes that step if it completes later', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    const compensations: { undone: number; error: unknown }[] = [];
    let finishLate!: (value: string) => void;
    const saga = compensation({
      steps: [
        { step: step('first', (input: string) => `${input}+first`), undo: step('undo-first', ({ output }: UndoInput<string, string>) => void log.push(`undo ${output}`)) },
        {
          step: step('deaf', (_input: string) => new Promise<string>((resolve) => (finishLate = resolve))),
          undo: step('undo-deaf', ({ input, output }: UndoInput<string, string>) => void log.push(`undo ${input} -> ${output}`)),
        },
      ],
    });
    saga.onCompensate(({ undone, error }) => compensations.push({ undone, error }));
    const run = timeout(saga, { timeoutMs: 100, clock }).execute(new WorkflowContext({ clock }), 'x').catch((error: unknown) => error);
    await clock.tickAsync(100);
    expect(TimeoutError.isInstance(await run)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['undo x+first']);
    finishLate('late');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['undo x+first', 'undo x+first -> late']);
    expect(compensations.map(({ undone }) => undone)).toEqual([1, 1]);
    expect(compensations.every(({ error }) => TimeoutError.isInstance(error))).toBe(true);
  });
  it('runs the late undo after the undo in flight and before the earlier ones: never two at once, each once', async () => {
    const log: string[] = [];
    let running = 0;
    let mostAtOnce = 0;
    let finishLate!: (value: string) => void;
    let releaseUndoB!: () => void;
    const undoB = new Promise<void>((resolve) => (releaseUndoB = resolve));
    const undo = (name: string, wait?: Promise<void>) =>
      step(`undo-${name}`, async () => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        log.push(name);
        if (wait !== undefined) await wait;
        running--;
      });
    const saga = compensation({
      steps: [
        { step: step('a', (input: string) => input), undo: undo('a') },
        { step: step('b', (input: string) => input), undo: undo('b', undoB) },
        { step: step('deaf', (_input: string) => new Promise<string>((resolve) => (finishLate = resolve))), undo: undo('late') },
      ],
    });
    const undone: number[] = [];
    saga.onCompensate((event) => undone.push(event.undone));
    const controller = new AbortController();
    const outcome = saga.execute(new WorkflowContext({ signal: controller.signal }), 'x').catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('stop'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['b']);
    finishLate('late');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['b']);
    releaseUndoB();
    expect(await outcome).toBe(controller.signal.reason);
    expect(log).toEqual(['b', 'late', 'a']);
    expect(mostAtOnce).toBe(1);
    expect(undone).toEqual([3]);
  });
});
