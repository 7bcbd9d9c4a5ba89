import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LazyAbort, signalParent, sleep, subscribeToSignal } from './abort.js';
import { WorkflowContext } from './workflow-context.js';
import { step } from '../composition/lambda-primitive.js';
import { timeout } from '../recovery/timeout-primitive.js';
import { ManualClock } from '../testing/manual-clock.js';
import { bulkhead } from '../flow/bulkhead-primitive.js';
import { batch } from '../flow/batch-primitive.js';
import { hedge } from '../flow/hedge-primitive.js';

describe('subscribeToSignal', () => {
  it('counts the same callback subscribed twice as two subscriptions', () => {
    const controller = new AbortController();
    const reasons: unknown[] = [];
    const callback = (reason: unknown) => reasons.push(reason);
    const first = subscribeToSignal(controller.signal, callback);
    subscribeToSignal(controller.signal, callback);
    first();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort('stop');
    expect(reasons).toEqual(['stop']);
  });

  it('bulkhead, batch and hedge calls waiting on one caller signal add one listener to it, not one each', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const never = step('never', (_input: number, context: WorkflowContext) => new Promise<number>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })));
    const primitives = [
      bulkhead(never, { maxConcurrent: 1, maxQueue: 100 }),
      batch(step('all', (inputs: number[]) => inputs), { maxBatchSize: 1000, maxWaitMs: 1_000, clock }),
      hedge(never, { delayMs: 1_000, clock }),
    ];
    for (const primitive of primitives) {
      const runs = Array.from({ length: 30 }, (_, index) => primitive.execute(WorkflowContext.create({ signal: controller.signal }), index).then(() => 'resolved', (error: unknown) => error));
      await Promise.resolve();
      expect(getEventListeners(controller.signal, 'abort').length, primitive.kind).toBeLessThanOrEqual(2);
      void runs;
    }
    controller.abort('stop');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('serves 50 subscribers of one signal with one listener, removed with the last subscriber', () => {
    const controller = new AbortController();
    const reasons: unknown[] = [];
    const unsubscribers = Array.from({ length: 50 }, (_, index) => subscribeToSignal(controller.signal, (reason) => reasons.push([index, reason])));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unsubscribers.slice(1).forEach((unsubscribe) => unsubscribe());
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    unsubscribers[0]!();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort('stop');
    expect(reasons).toEqual([]);
  });

  it('calls every remaining subscriber once with the reason, in order, even when one throws', async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const reported: unknown[] = [];
    const previous = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void reported.push(error);
    try {
      subscribeToSignal(controller.signal, (reason) => calls.push(`a:${String(reason)}`));
      const dropped = subscribeToSignal(controller.signal, () => calls.push('dropped'));
      subscribeToSignal(controller.signal, () => {
        throw new Error('listener failed');
      });
      subscribeToSignal(controller.signal, (reason) => calls.push(`c:${String(reason)}`));
      dropped();
      controller.abort('stop');
      controller.abort('again');
      await Promise.resolve();
      expect(calls).toEqual(['a:stop', 'c:stop']);
      expect(reported).toHaveLength(1);
      expect(subscribeToSignal(controller.signal, () => calls.push('late'))).toBeTypeOf('function');
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      globalThis.reportError = previous;
    }
  });
});

describe('one listener per caller signal', () => {
  it('50 concurrent timeout runs whose steps read their signal add one listener to the caller signal', async () => {
    const caller = new AbortController();
    const clock = new ManualClock();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const bounded = timeout(step('reads', async (value: number, context) => (context.signal.aborted ? -1 : (await gate, value))), { timeoutMs: 1_000, clock });
    const context = WorkflowContext.create({ signal: caller.signal, clock });
    const runs = Array.from({ length: 50 }, (_, index) => bounded.execute(context, index));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    release();
    expect(await Promise.all(runs)).toHaveLength(50);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('50 concurrent sleeps on one signal add one listener; an abort rejects them all with the reason', async () => {
    const caller = new AbortController();
    const clock = new ManualClock();
    const sleeps = Array.from({ length: 50 }, () => sleep(1_000, caller.signal, clock).catch((error: unknown) => error));
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    caller.abort('stop');
    expect(new Set(await Promise.all(sleeps))).toEqual(new Set(['stop']));
  });

  it('a scope linked while a run holds it aborts with its parent and lets go when dropped', () => {
    const caller = new AbortController();
    const scope = new LazyAbort(signalParent(caller.signal));
    scope.hold();
    const signal = scope.signal;
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    scope.drop();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    const held = new LazyAbort(signalParent(caller.signal), undefined, true);
    const heldSignal = held.signal;
    caller.abort('stop');
    expect(heldSignal.reason).toBe('stop');
    expect(signal.aborted).toBe(false);
  });
});
