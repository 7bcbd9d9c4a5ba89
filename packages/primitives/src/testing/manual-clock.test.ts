import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';

describe('ManualClock', () => {
  it('fires timers in due order as time advances, and not before', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(11);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(120);
  });

  it('cancels a cleared timer', () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), 5);
    clock.clearTimeout(handle);
    clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets continuations schedule further timers during tickAsync', async () => {
    const clock = new ManualClock();
    const times: number[] = [];
    const run = (async () => {
      for (let index = 0; index < 3; index++) {
        await sleep(10, undefined, clock);
        times.push(clock.now());
      }
    })();
    await clock.tickAsync(30);
    await run;
    expect(times).toEqual([10, 20, 30]);
  });

  it('rejects a sleep at once on abort and releases its timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const waiting = sleep(1_000, controller.signal, clock);
    controller.abort('stop');
    await expect(waiting).rejects.toBe('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs every pending timer with runAllAsync', async () => {
    const clock = new ManualClock();
    const done = sleep(500, undefined, clock).then(() => clock.now());
    await clock.runAllAsync();
    await expect(done).resolves.toBe(500);
  });

  it('never fires an Infinity timer, not even in runAllAsync, but counts it until cleared', async () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => (fired = true), Infinity);
    clock.advance(Number.MAX_VALUE);
    await clock.runAllAsync();
    expect(fired).toBe(false);
    expect(clock.pendingTimers).toBe(1);
    clock.clearTimeout(handle);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires a timer beyond the host limit after exactly its delay', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 2 ** 31 + 1);
    clock.setTimeout(() => fired.push(clock.now()), 8.64e15 + 1);
    clock.advance(2 ** 31);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([2 ** 31 + 1]);
    clock.advance(8.64e15);
    expect(fired).toEqual([2 ** 31 + 1, 8.64e15 + 1]);
  });

  it('fires NaN and negative delays on the next advance', () => {
    const clock = new ManualClock(10);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(1), Number.NaN);
    clock.setTimeout(() => fired.push(2), -Infinity);
    clock.advance(0);
    expect(fired).toEqual([1, 2]);
  });
});

describe('ManualClock steps', () => {
  it('refuses NaN, negative and infinite steps instead of firing every timer or moving time back', async () => {
    const clock = new ManualClock(1_000);
    let fired = false;
    clock.setTimeout(() => (fired = true), 60_000);
    for (const step of [Number.NaN, -1, Infinity]) {
      expect(() => clock.advance(step)).toThrow(InvalidInputError);
      await expect(clock.tickAsync(step)).rejects.toThrow(InvalidInputError);
    }
    expect(fired).toBe(false);
    expect(clock.now()).toBe(1_000);
  });
});
