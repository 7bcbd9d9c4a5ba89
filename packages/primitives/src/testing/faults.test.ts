import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { ManualClock, MockPrimitive, failFirst, failWithProbability, withLatency, seededRandom, InjectedFaultError } from '@tta/primitives/testing';
import { expectNoTimerLeaks } from '../flow/test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

async function outcomes<T>(run: () => Promise<T>, count: number): Promise<Array<'ok' | 'fail'>> {
  const result: Array<'ok' | 'fail'> = [];
  for (let index = 0; index < count; index++) result.push(await run().then(() => 'ok' as const, () => 'fail' as const));
  return result;
}

describe('failFirst', () => {
  it('fails the first n calls with InjectedFaultError, then runs the primitive', async () => {
    const inner = new MockPrimitive<string, string>({ returnValue: 'ok' });
    const flaky = failFirst(2, inner);
    const context = new WorkflowContext();
    const first = await flaky.execute(context, 'a').catch((error: unknown) => error);
    expect(InjectedFaultError.isInstance(first)).toBe(true);
    expect(first).toMatchObject({ code: 'INJECTED_FAULT', call: 1 });
    await expect(flaky.execute(context, 'b')).rejects.toMatchObject({ call: 2 });
    expect(await flaky.execute(context, 'c')).toBe('ok');
    expect(inner.callCount).toBe(1);
    expect(flaky.calls).toBe(3);
    expect(flaky.failures).toBe(2);
  });

  it('lifts a plain function and uses the given error or error factory', async () => {
    const error = new Error('429');
    const fromValue = failFirst(1, (input: number) => input * 2, error);
    await expect(fromValue.execute(new WorkflowContext(), 1)).rejects.toBe(error);
    expect(await fromValue.execute(new WorkflowContext(), 2)).toBe(4);
    const fromFactory = failFirst(1, (input: number) => input, (call: number) => new Error(`call ${call}`));
    await expect(fromFactory.execute(new WorkflowContext(), 1)).rejects.toThrow('call 1');
  });

  it('does not call the primitive when the context is already aborted', async () => {
    const inner = new MockPrimitive<string, string>({ returnValue: 'ok' });
    const controller = new AbortController();
    controller.abort('gone');
    await expect(failFirst(0, inner).execute(new WorkflowContext({ signal: controller.signal }), 'x')).rejects.toBe('gone');
    expect(inner.callCount).toBe(0);
  });

  it('validates its arguments', () => {
    expect(() => failFirst(-1, step('x', (input: number) => input))).toThrow(InvalidOptionsError);
    expect(() => failFirst(1, 'nope' as never)).toThrow(InvalidOptionsError);
  });
});

describe('failWithProbability', () => {
  it('fails the same calls for the same seed, and about p of them', async () => {
    const context = new WorkflowContext();
    const make = (seed: number) => failWithProbability(0.3, step('ok', () => 'ok'), { seed });
    const first = make(42);
    const second = make(42);
    const a = await outcomes(() => first.execute(context, undefined), 1_000);
    const b = await outcomes(() => second.execute(context, undefined), 1_000);
    expect(a).toEqual(b);
    const failures = a.filter((outcome) => outcome === 'fail').length;
    expect(failures).toBeGreaterThan(240);
    expect(failures).toBeLessThan(360);
    const other = make(7);
    expect(await outcomes(() => other.execute(context, undefined), 1_000)).not.toEqual(a);
  });

  it('never fails with p = 0 and always fails with p = 1', async () => {
    const context = new WorkflowContext();
    expect(new Set(await outcomes(() => failWithProbability(0, step('ok', () => 1), { seed: 1 }).execute(context, undefined), 50))).toEqual(new Set(['ok']));
    expect(new Set(await outcomes(() => failWithProbability(1, step('ok', () => 1), { seed: 1 }).execute(context, undefined), 50))).toEqual(new Set(['fail']));
  });

  it('validates its arguments', () => {
    const inner = step('ok', () => 1);
    expect(() => failWithProbability(1.5, inner, { seed: 1 })).toThrow(/probability/);
    expect(() => failWithProbability(0.5, inner, {} as never)).toThrow(/seed/);
  });
});

describe('withLatency', () => {
  it('delays each call by a fixed time on the clock', async () => {
    const clock = new ManualClock();
    const slow = withLatency(200, step('echo', (input: string) => input), { clock });
    let done = false;
    const run = slow.execute(new WorkflowContext(), 'x').then((value) => {
      done = true;
      return value;
    });
    await clock.tickAsync(199);
    expect(done).toBe(false);
    await clock.tickAsync(1);
    expect(await run).toBe('x');
  });

  it('draws delays in [minMs, maxMs] from the seed, the same for the same seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => 10 + random() * 90);
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
  });

  it('waits a seeded time within the range, using the context clock by default', async () => {
    const clock = new ManualClock();
    const slow = withLatency({ minMs: 10, maxMs: 100, seed: 3 }, step('echo', (input: number) => input));
    const random = seededRandom(3);
    const expected = 10 + random() * 90;
    let done = false;
    const run = slow.execute(new WorkflowContext({ clock }), 1).then(() => (done = true));
    await clock.tickAsync(expected - 0.001);
    expect(done).toBe(false);
    await clock.tickAsync(0.001);
    await run;
    expect(done).toBe(true);
    expect(expected).toBeGreaterThanOrEqual(10);
    expect(expected).toBeLessThanOrEqual(100);
  });

  it('rejects with the abort reason at once and releases its timer when the signal aborts', async () => {
    const clock = new ManualClock();
    const inner = new MockPrimitive<string, string>({ returnValue: 'late' });
    const controller = new AbortController();
    const run = withLatency(1_000, inner, { clock }).execute(new WorkflowContext({ signal: controller.signal }), 'x');
    await clock.tickAsync(10);
    controller.abort('cancelled');
    await expect(run).rejects.toBe('cancelled');
    expect(clock.pendingTimers).toBe(0);
    expect(inner.callCount).toBe(0);
  });

  it('validates its arguments', () => {
    const inner = step('x', () => 1);
    expect(() => withLatency(-1, inner)).toThrow(InvalidOptionsError);
    expect(() => withLatency({ minMs: 5, maxMs: 1, seed: 1 }, inner)).toThrow(/maxMs/);
    expect(() => withLatency({ minMs: 1, maxMs: 5 } as never, inner)).toThrow(/seed/);
  });
});
