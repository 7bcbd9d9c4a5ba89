import { InvalidInputError } from '../errors/invalid-input-error.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { BatchPrimitive, batch } from './batch-primitive.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

function controlledBatch() {
  const calls: Array<{ inputs: number[]; signal: AbortSignal; resolve: (outputs: string[]) => void; reject: (error: unknown) => void }> = [];
  const primitive = step('many', (inputs: number[], context) => {
    const signal = context.signal;
    return new Promise<string[]>((resolve, reject) => {
      calls.push({ inputs, signal, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  });
  return { primitive, calls };
}

describe('BatchPrimitive', () => {
  it('sends a batch as soon as it holds maxBatchSize inputs and routes outputs back by index', async () => {
    const clock = new ManualClock();
    const many = vi.fn((inputs: number[]) => inputs.map((input) => `#${input}`));
    const batched = batch(step('many', many), { maxBatchSize: 3, maxWaitMs: 1_000, clock });
    const context = new WorkflowContext({ clock });
    const results = Promise.all([1, 2, 3, 4, 5].map((input) => batched.execute(context, input)));
    await clock.tickAsync(0);
    expect(many.mock.calls.map(([inputs]) => inputs)).toEqual([[1, 2, 3]]);
    expect(batched.pending).toBe(2);
    await clock.tickAsync(1_000);
    expect(many.mock.calls.map(([inputs]) => inputs)).toEqual([[1, 2, 3], [4, 5]]);
    expect(await results).toEqual(['#1', '#2', '#3', '#4', '#5']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sends what arrived within maxWaitMs of the first input', async () => {
    const clock = new ManualClock();
    const many = vi.fn((inputs: number[]) => inputs.map(String));
    const batched = new BatchPrimitive(step('many', many), { maxBatchSize: 100, maxWaitMs: 50, clock });
    const onDispatch = vi.fn();
    batched.onDispatch(onDispatch);
    const context = new WorkflowContext({ clock });
    const first = batched.execute(context, 1);
    await clock.tickAsync(30);
    const second = batched.execute(context, 2);
    await clock.tickAsync(19);
    expect(many).not.toHaveBeenCalled();
    await clock.tickAsync(1);
    expect(many).toHaveBeenCalledWith([1, 2], expect.any(WorkflowContext));
    expect(onDispatch).toHaveBeenCalledWith({ size: 2, reason: 'time' });
    const third = batched.execute(context, 3);
    await clock.tickAsync(50);
    expect(many.mock.calls.map(([inputs]) => inputs)).toEqual([[1, 2], [3]]);
    expect(await Promise.all([first, second, third])).toEqual(['1', '2', '3']);
  });

  it('rejects every caller of a batch whose inner call fails, and not the next batch', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = controlledBatch();
    const batched = batch(primitive, { maxBatchSize: 2, maxWaitMs: 10, clock });
    const context = new WorkflowContext({ clock });
    const failed = [batched.execute(context, 1), batched.execute(context, 2)].map((run) => run.catch((error: unknown) => error));
    const next = batched.execute(context, 3);
    const error = new Error('endpoint down');
    calls[0]!.reject(error);
    expect(await Promise.all(failed)).toEqual([error, error]);
    await clock.tickAsync(10);
    calls[1]!.resolve(['three']);
    expect(await next).toBe('three');
  });

  it('rejects every caller when the inner call returns the wrong number of outputs', async () => {
    const clock = new ManualClock();
    const batched = batch(step('many', (inputs: number[]) => inputs.slice(1).map(String)), { maxBatchSize: 2, maxWaitMs: 10, clock });
    const context = new WorkflowContext({ clock });
    const runs = [batched.execute(context, 1), batched.execute(context, 2)];
    await expect(runs[0]).rejects.toThrow(/returned 1 outputs for 2 inputs/);
    await expect(runs[1]).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('removes a caller that aborts before the batch is sent', async () => {
    const clock = new ManualClock();
    const many = vi.fn((inputs: number[]) => inputs.map(String));
    const batched = batch(step('many', many), { maxBatchSize: 10, maxWaitMs: 100, clock });
    const controller = new AbortController();
    const staying = batched.execute(new WorkflowContext({ clock }), 1);
    const leaving = batched.execute(new WorkflowContext({ clock, signal: controller.signal }), 2);
    const alsoStaying = batched.execute(new WorkflowContext({ clock }), 3);
    controller.abort('left');
    await expect(leaving).rejects.toBe('left');
    expect(batched.pending).toBe(2);
    await clock.tickAsync(100);
    expect(many.mock.calls.map(([inputs]) => inputs)).toEqual([[1, 3]]);
    expect(await Promise.all([staying, alsoStaying])).toEqual(['1', '3']);
  });

  it('closes the window without a call when every caller aborted before sending', async () => {
    const clock = new ManualClock();
    const many = vi.fn((inputs: number[]) => inputs.map(String));
    const batched = batch(step('many', many), { maxBatchSize: 10, maxWaitMs: 100, clock });
    const controller = new AbortController();
    const run = batched.execute(new WorkflowContext({ clock, signal: controller.signal }), 1);
    controller.abort('left');
    await expect(run).rejects.toBe('left');
    expect(clock.pendingTimers).toBe(0);
    await clock.tickAsync(100);
    expect(many).not.toHaveBeenCalled();
  });

  it('after sending, lets an aborting caller leave and aborts the inner call only when all have left', async () => {
    const clock = new ManualClock();
    const { primitive, calls } = controlledBatch();
    const batched = batch(primitive, { maxBatchSize: 2, maxWaitMs: 10, clock });
    const one = new AbortController();
    const two = new AbortController();
    const first = batched.execute(new WorkflowContext({ clock, signal: one.signal }), 1);
    const second = batched.execute(new WorkflowContext({ clock, signal: two.signal }), 2);
    one.abort('one');
    await expect(first).rejects.toBe('one');
    expect(calls[0]!.signal.aborted).toBe(false);
    two.abort('two');
    await expect(second).rejects.toBe('two');
    expect(calls[0]!.signal.aborted).toBe(true);
  });

  it('validates its options at construction', () => {
    const inner = step('many', (inputs: number[]) => inputs);
    expect(() => batch(inner, { maxBatchSize: 0, maxWaitMs: 1 })).toThrow(InvalidOptionsError);
    expect(() => batch(inner, { maxBatchSize: 2, maxWaitMs: -1 })).toThrow(/maxWaitMs/);
    expect(() => batch(inner, { maxBatchSize: 2 } as never)).toThrow(/maxWaitMs/);
  });
});
