import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { BulkheadPrimitive, bulkhead } from './bulkhead-primitive.js';
import { BulkheadRejectedError } from '../errors/bulkhead-rejected-error.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

function controlled() {
  const pending: Array<{ input: number; resolve: (value: number) => void; reject: (error: unknown) => void }> = [];
  const primitive = step('controlled', (input: number) => new Promise<number>((resolve, reject) => pending.push({ input, resolve, reject })));
  return { primitive, pending };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('BulkheadPrimitive', () => {
  it('runs at most maxConcurrent calls and starts queued calls in arrival order as slots free up', async () => {
    const { primitive, pending } = controlled();
    const limited = bulkhead(primitive, { maxConcurrent: 2, maxQueue: 3 });
    const context = new WorkflowContext();
    const runs = [1, 2, 3, 4, 5].map((input) => limited.execute(context, input));
    const firstOutcome = runs[0]!.catch((error: unknown) => error);
    await flush();
    expect(pending.map((call) => call.input)).toEqual([1, 2]);
    expect(limited.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    pending[1]!.resolve(20);
    await flush();
    expect(pending.map((call) => call.input)).toEqual([1, 2, 3]);
    pending[0]!.reject(new Error('first failed'));
    await flush();
    expect(pending.map((call) => call.input)).toEqual([1, 2, 3, 4]);
    expect(limited.inFlight).toBe(2);
    expect(limited.queued).toBe(1);
    for (const call of pending.slice(2)) call.resolve(call.input * 10);
    await flush();
    pending[4]!.resolve(50);
    expect(await firstOutcome).toEqual(new Error('first failed'));
    expect(await Promise.all(runs.slice(1))).toEqual([20, 30, 40, 50]);
    expect(limited.stats()).toEqual({ inFlight: 0, queued: 0, admitted: 5, rejected: 0, abandoned: 0, maxConcurrent: 2, maxQueue: 3 });
  });

  it('rejects with BulkheadRejectedError when every slot and queue place is taken', async () => {
    const { primitive, pending } = controlled();
    const limited = new BulkheadPrimitive(primitive, { maxConcurrent: 1, maxQueue: 1, name: 'llm-pool' });
    const onReject = vi.fn();
    limited.onReject(onReject);
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const context = new WorkflowContext();
      const first = limited.execute(context, 1);
      const second = limited.execute(context, 2);
      const error = await limited.execute(context, 3).catch((reason: unknown) => reason);
      expect(BulkheadRejectedError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'BULKHEAD_REJECTED', bulkhead: 'llm-pool', maxConcurrent: 1, maxQueue: 1 });
      expect(onReject).toHaveBeenCalledWith({ inFlight: 1, queued: 1 });
      expect(seen).toEqual([expect.objectContaining({ type: 'reject', reason: 'bulkhead-full' })]);
      await flush();
      pending[0]!.resolve(1);
      await flush();
      pending[1]!.resolve(2);
      expect(await Promise.all([first, second])).toEqual([1, 2]);
      expect(limited.stats().rejected).toBe(1);
    } finally {
      registration.dispose();
    }
  });

  it('rejects at once when every slot is busy and maxQueue is 0 (the default)', async () => {
    const { primitive, pending } = controlled();
    const limited = bulkhead(primitive, { maxConcurrent: 1 });
    const context = new WorkflowContext();
    const first = limited.execute(context, 1);
    await expect(limited.execute(context, 2)).rejects.toBeInstanceOf(BulkheadRejectedError);
    await flush();
    pending[0]!.resolve(1);
    await first;
  });

  it('removes a queued call from the queue at once when its signal aborts', async () => {
    const { primitive, pending } = controlled();
    const limited = bulkhead(primitive, { maxConcurrent: 1, maxQueue: 2 });
    const controller = new AbortController();
    const running = limited.execute(new WorkflowContext(), 1);
    const queued = limited.execute(new WorkflowContext({ signal: controller.signal }), 2);
    const behind = limited.execute(new WorkflowContext(), 3);
    await flush();
    expect(limited.queued).toBe(2);
    const reason = new Error('user went away');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    expect(limited.queued).toBe(1);
    expect(limited.stats().abandoned).toBe(1);
    // The freed queue place is usable at once.
    const another = limited.execute(new WorkflowContext(), 4);
    expect(limited.queued).toBe(2);
    pending[0]!.resolve(1);
    await flush();
    expect(pending.map((call) => call.input)).toEqual([1, 3]);
    pending[1]!.resolve(3);
    await flush();
    pending[2]!.resolve(4);
    expect(await Promise.all([running, behind, another])).toEqual([1, 3, 4]);
  });

  it('does not start a call whose signal aborted before it was queued', async () => {
    const { primitive } = controlled();
    const limited = bulkhead(primitive, { maxConcurrent: 1, maxQueue: 1 });
    const controller = new AbortController();
    controller.abort('gone');
    await expect(limited.execute(new WorkflowContext({ signal: controller.signal }), 1)).rejects.toBe('gone');
    expect(limited.stats()).toMatchObject({ inFlight: 0, admitted: 0 });
  });

  it('validates its options at construction', () => {
    const inner = step('x', (input: number) => input);
    expect(() => bulkhead(inner, { maxConcurrent: 0 })).toThrow(InvalidOptionsError);
    expect(() => bulkhead(inner, { maxConcurrent: 1.5 })).toThrow(/maxConcurrent/);
    expect(() => bulkhead(inner, { maxConcurrent: 1, maxQueue: -1 })).toThrow(/maxQueue/);
    expect(() => bulkhead(inner, undefined as never)).toThrow(InvalidOptionsError);
    expect(bulkhead(inner, { maxConcurrent: 1, maxQueue: Infinity }).maxQueue).toBe(Infinity);
  });
});
