import { InvalidInputError } from '../errors/invalid-input-error.js';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WorkflowContext, InvalidOptionsError } from '@tta/primitives';
import { FilterPrimitive, filter } from './filter-primitive.js';
import { FilterRejectedError } from '../errors/filter-rejected-error.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';
import { DeadlineExceededError } from '../errors/deadline-exceeded-error.js';

afterEach(() => expectNoTimerLeaks());

describe('FilterPrimitive', () => {
  it('keeps the items for which the predicate holds, in order (skip mode, the default)', async () => {
    const evens = filter((value: number) => value % 2 === 0);
    expect(await evens.execute(new WorkflowContext(), [1, 2, 3, 4, 6])).toEqual([2, 4, 6]);
  });

  it('accepts an async predicate that gets the item, the context and the index', async () => {
    const seen: Array<[string, number]> = [];
    const allowed = filter(async (word: string, context, index) => {
      seen.push([word, index]);
      return !(context.data.blocked as string[]).includes(word);
    });
    const context = new WorkflowContext({ data: { blocked: ['b'] } });
    expect(await allowed.execute(context, ['a', 'b', 'c'])).toEqual(['a', 'c']);
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('throws FilterRejectedError at the first rejected item in throw mode, and checks no later item', async () => {
    const checked: number[] = [];
    const guard = new FilterPrimitive(
      (value: number) => {
        checked.push(value);
        return value > 0;
      },
      { onReject: 'throw' },
    );
    const error = await guard.execute(new WorkflowContext(), [3, -1, -2, 5]).catch((reason: unknown) => reason);
    expect(FilterRejectedError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'FILTER_REJECTED', index: 1, item: -1, retryable: false });
    expect(checked).toEqual([3, -1]);
  });

  it('runs up to concurrency predicates at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const slow = filter(
      async (value: number) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
        return value !== 3;
      },
      { concurrency: 2 },
    );
    expect(await slow.execute(new WorkflowContext(), [1, 2, 3, 4, 5])).toEqual([1, 2, 4, 5]);
    expect(peak).toBe(2);
  });

  it('reports the lowest rejected index in throw mode with concurrency', async () => {
    const guard = filter(async (value: number) => value < 3, { onReject: 'throw', concurrency: 4 });
    await expect(guard.execute(new WorkflowContext(), [1, 2, 3, 4, 5])).rejects.toMatchObject({ index: 2 });
  });

  it('fails with the error of a throwing predicate after every running predicate settled', async () => {
    const failure = new Error('moderation down');
    const guard = filter(
      async (value: number) => {
        if (value === 2) throw failure;
        return true;
      },
      { concurrency: 3 },
    );
    await expect(guard.execute(new WorkflowContext(), [1, 2, 3, 4])).rejects.toBe(failure);
  });

  it('stops between predicates once the context is aborted', async () => {
    const controller = new AbortController();
    const checked: number[] = [];
    const stopping = filter((value: number) => {
      checked.push(value);
      if (value === 2) controller.abort('stop');
      return true;
    });
    await expect(stopping.execute(new WorkflowContext({ signal: controller.signal }), [1, 2, 3])).rejects.toBe('stop');
    expect(checked).toEqual([1, 2]);
  });

  it('narrows the output with a type-guard predicate', async () => {
    const numbers = filter((value: string | number): value is number => typeof value === 'number');
    const kept = await numbers.execute(new WorkflowContext(), [1, 'x', 2]);
    expectTypeOf(kept).toEqualTypeOf<number[]>();
    expect(kept).toEqual([1, 2]);
  });

  it('rejects a non-array input and validates its options', async () => {
    await expect(filter((value: number) => value > 0).execute(new WorkflowContext(), 5 as never)).rejects.toBeInstanceOf(InvalidInputError);
    expect(() => filter('x' as never)).toThrow(InvalidOptionsError);
    expect(() => filter((value: number) => value > 0, { onReject: 'drop' as never })).toThrow(/onReject/);
    expect(() => filter((value: number) => value > 0, { concurrency: 0 })).toThrow(/concurrency/);
  });
});

describe('FilterPrimitive with a synchronous predicate over a long array', () => {
  /** A predicate that never awaits, and costs about a microsecond per item. */
  const busyPredicate = (value: number): boolean => {
    let sum = 0;
    for (let step = 0; step < 200; step++) sum += (value * step) % 7;
    return sum < 0;
  };
  const items = Array.from({ length: 2_000_000 }, (_, index) => index);

  for (const concurrency of [1, 4]) {
    it(`stops at the context deadline instead of holding the thread to the end (concurrency ${concurrency})`, async () => {
      let calls = 0;
      const counting = filter((value: number) => {
        calls++;
        return busyPredicate(value);
      }, { concurrency });
      const started = performance.now();
      const error: unknown = await counting.execute(WorkflowContext.create({ timeoutMs: 100 }), items).catch((caught: unknown) => caught);
      expect(DeadlineExceededError.isInstance(error)).toBe(true);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(calls).toBeLessThan(items.length);
      await new Promise((resolve) => setImmediate(resolve));
    });
  }
});
