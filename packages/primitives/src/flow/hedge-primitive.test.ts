import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { HedgePrimitive, hedge } from './hedge-primitive.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

function controlled() {
  const attempts: Array<{ signal: AbortSignal; resolve: (value: string) => void; reject: (error: unknown) => void }> = [];
  const primitive = step('attempt', (_input: string, context) => {
    const signal = context.signal;
    return new Promise<string>((resolve, reject) => {
      attempts.push({ signal, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  });
  return { primitive, attempts };
}

describe('HedgePrimitive', () => {
  it('does not hedge when the first attempt settles within delayMs', async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const hedged = hedge(primitive, { delayMs: 100, clock });
    const run = hedged.execute(new WorkflowContext({ clock }), 'q');
    await clock.tickAsync(99);
    attempts[0]!.resolve('first');
    expect(await run).toBe('first');
    expect(attempts).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts a second attempt after delayMs; the first success wins and the loser is aborted', async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const hedged = new HedgePrimitive(primitive, { delayMs: 100, clock });
    const onHedge = vi.fn();
    hedged.onHedge(onHedge);
    const run = hedged.execute(new WorkflowContext({ clock }), 'q');
    await clock.tickAsync(100);
    expect(attempts).toHaveLength(2);
    expect(onHedge).toHaveBeenCalledWith({ attempt: 2, reason: 'delay' });
    attempts[1]!.resolve('second');
    expect(await run).toBe('second');
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(attempts[0]!.signal.reason).toMatchObject({ name: 'AbortError' });
    expect(attempts[1]!.signal.aborted).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('starts up to maxHedges extra attempts, one delay apart', async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const run = hedge(primitive, { delayMs: 50, maxHedges: 3, clock }).execute(new WorkflowContext({ clock }), 'q');
    await clock.tickAsync(49);
    expect(attempts).toHaveLength(1);
    await clock.tickAsync(1);
    expect(attempts).toHaveLength(2);
    await clock.tickAsync(100);
    expect(attempts).toHaveLength(4);
    await clock.tickAsync(1_000);
    expect(attempts).toHaveLength(4);
    attempts[0]!.resolve('slow primary');
    expect(await run).toBe('slow primary');
    expect(attempts.slice(1).every((attempt) => attempt.signal.aborted)).toBe(true);
  });

  it('starts the next attempt at once when one fails, and fails only when all fail (with the last error)', async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const hedged = hedge(primitive, { delayMs: 1_000, maxHedges: 1, clock });
    const onHedge = vi.fn();
    hedged.onHedge(onHedge);
    const run = hedged.execute(new WorkflowContext({ clock }), 'q');
    const outcome = run.catch((error: unknown) => error);
    await clock.tickAsync(10);
    attempts[0]!.reject(new Error('first'));
    await clock.tickAsync(0);
    expect(attempts).toHaveLength(2);
    expect(onHedge).toHaveBeenCalledWith({ attempt: 2, reason: 'failure' });
    attempts[1]!.reject(new Error('second'));
    expect(await outcome).toEqual(new Error('second'));
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps waiting for a running attempt when another fails', async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const run = hedge(primitive, { delayMs: 10, clock }).execute(new WorkflowContext({ clock }), 'q');
    await clock.tickAsync(10);
    attempts[1]!.reject(new Error('hedge failed'));
    await clock.tickAsync(0);
    attempts[0]!.resolve('primary');
    expect(await run).toBe('primary');
  });

  it("aborts every attempt and rejects with the caller's reason when the caller aborts", async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const controller = new AbortController();
    const run = hedge(primitive, { delayMs: 10, clock }).execute(new WorkflowContext({ clock, signal: controller.signal }), 'q');
    await clock.tickAsync(10);
    controller.abort('caller gone');
    await expect(run).rejects.toBe('caller gone');
    expect(attempts.every((attempt) => attempt.signal.aborted)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('releases the hedge timer when the caller aborts before the delay', async () => {
    const clock = new ManualClock();
    const { primitive, attempts } = controlled();
    const controller = new AbortController();
    const run = hedge(primitive, { delayMs: 100, clock }).execute(new WorkflowContext({ clock, signal: controller.signal }), 'q');
    await clock.tickAsync(5);
    controller.abort('stop');
    await expect(run).rejects.toBe('stop');
    expect(clock.pendingTimers).toBe(0);
    expect(attempts).toHaveLength(1);
  });

  it('validates its options at construction', () => {
    const inner = step('x', (input: string) => input);
    expect(() => hedge(inner, { delayMs: -1 })).toThrow(InvalidOptionsError);
    expect(() => hedge(inner, { delayMs: Infinity })).toThrow(/delayMs/);
    expect(() => hedge(inner, { delayMs: 1, maxHedges: 0 })).toThrow(/maxHedges/);
    expect(() => hedge({} as never, { delayMs: 1 })).toThrow(/inner/);
  });
});
