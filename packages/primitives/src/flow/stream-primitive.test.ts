import { InvalidInputError } from '../errors/invalid-input-error.js';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { WorkflowContext, InvalidOptionsError } from '@tta/primitives';
import { StreamPrimitive, stream } from './stream-primitive.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '@tta/primitives/testing';
import { DeadlineExceededError } from '../errors/deadline-exceeded-error.js';

afterEach(() => expectNoTimerLeaks());

/** An async source that records what was pulled and whether it was closed. */
function recordingSource(count: number) {
  const log = { pulled: 0, closed: false };
  async function* numbers(): AsyncGenerator<number> {
    try {
      for (let value = 1; value <= count; value++) {
        log.pulled = value;
        yield value;
      }
    } finally {
      log.closed = true;
    }
  }
  return { log, numbers };
}

/** A source whose items the test releases one by one. */
function manualSource() {
  const waiting: Array<(result: IteratorResult<number>) => void> = [];
  let returned = false;
  const iterable: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<number>>((resolve) => waiting.push(resolve)),
      return: () => {
        returned = true;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
  return { iterable, waiting, wasReturned: () => returned };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('StreamPrimitive', () => {
  it('maps and filters lazily, pulling one item at a time as the consumer asks', async () => {
    const { log, numbers } = recordingSource(100);
    const evensDoubled = stream((_input: string) => numbers())
      .filter((value) => value % 2 === 0)
      .map(async (value) => value * 10);
    const iterable = await evensDoubled.execute(new WorkflowContext(), 'go');
    expect(log.pulled).toBe(0);
    const iterator = iterable[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 20 });
    expect(log.pulled).toBe(2);
    expect(await iterator.next()).toEqual({ done: false, value: 40 });
    expect(log.pulled).toBe(4);
    await iterator.return!();
    await flush();
    expect(log.closed).toBe(true);
  });

  it('takes a stream whose input is the iterable itself and collects it into an array', async () => {
    const words = stream<string>()
      .map((word) => word.trim())
      .filter((word) => word.length > 0);
    const collected = await words.collect().execute(new WorkflowContext(), [' a', '', 'b ', '  ']);
    expect(collected).toEqual(['a', 'b']);
    expectTypeOf(collected).toEqualTypeOf<string[]>();
  });

  it('bounds async map concurrency, keeps order, and pulls at most that many items ahead', async () => {
    const { log, numbers } = recordingSource(10);
    const started: number[] = [];
    const resolvers = new Map<number, (value: number) => void>();
    const mapped = stream(() => numbers()).map(
      (value) =>
        new Promise<number>((resolve) => {
          started.push(value);
          resolvers.set(value, resolve);
        }),
      { concurrency: 3 },
    );
    const iterator = (await mapped.execute(new WorkflowContext(), undefined))[Symbol.asyncIterator]();
    const first = iterator.next();
    await flush();
    expect(started).toEqual([1, 2, 3]);
    expect(log.pulled).toBe(3);
    resolvers.get(2)!(20);
    resolvers.get(1)!(10);
    expect(await first).toEqual({ done: false, value: 10 });
    const second = iterator.next();
    await flush();
    expect(started).toEqual([1, 2, 3, 4]);
    expect(await second).toEqual({ done: false, value: 20 });
    await iterator.return!();
  });

  it('stops the iteration on abort: the pending next() rejects with the reason and the source is returned', async () => {
    const { iterable, waiting, wasReturned } = manualSource();
    const controller = new AbortController();
    const items = await stream(() => iterable).execute(new WorkflowContext({ signal: controller.signal }), undefined);
    const iterator = items[Symbol.asyncIterator]();
    const first = iterator.next();
    await flush();
    waiting[0]!({ done: false, value: 1 });
    expect(await first).toEqual({ done: false, value: 1 });
    const pending = iterator.next();
    controller.abort('stopped');
    await expect(pending).rejects.toBe('stopped');
    expect(wasReturned()).toBe(true);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('rejects the first next() when the context is already aborted, without opening the source', async () => {
    let opened = false;
    const controller = new AbortController();
    const context = new WorkflowContext({ signal: controller.signal });
    const items = await stream(() => {
      opened = true;
      return [1];
    }).execute(context, undefined);
    controller.abort('late');
    await expect(items[Symbol.asyncIterator]().next()).rejects.toBe('late');
    expect(opened).toBe(false);
  });

  it('settles a pending next() with done when return() is called meanwhile', async () => {
    const { iterable, waiting, wasReturned } = manualSource();
    const iterator = (await stream(() => iterable).execute(new WorkflowContext(), undefined))[Symbol.asyncIterator]();
    const pending = iterator.next();
    await flush();
    await iterator.return!();
    expect(wasReturned()).toBe(true);
    waiting[0]!({ done: false, value: 1 });
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('does not call return() on a source that ended by itself', async () => {
    let returns = 0;
    const source: Iterable<number> = {
      [Symbol.iterator]: () => {
        let value = 0;
        return {
          next: () => (value < 2 ? { done: false, value: ++value } : { done: true, value: undefined }),
          return: () => {
            returns++;
            return { done: true, value: undefined };
          },
        };
      },
    };
    expect(await stream(() => source).collect().execute(new WorkflowContext(), undefined)).toEqual([1, 2]);
    expect(returns).toBe(0);
  });

  it('closes the source when the consumer breaks out of for await', async () => {
    const { log, numbers } = recordingSource(100);
    const seen: number[] = [];
    for await (const value of await stream(() => numbers()).execute(new WorkflowContext(), undefined)) {
      seen.push(value);
      if (value === 3) break;
    }
    await flush();
    expect(seen).toEqual([1, 2, 3]);
    expect(log.closed).toBe(true);
    expect(log.pulled).toBe(3);
  });

  it('take(n) ends after n items and releases the source', async () => {
    const { log, numbers } = recordingSource(100);
    const firstTwo = stream(() => numbers()).take(2).collect();
    expect(await firstTwo.execute(new WorkflowContext(), undefined)).toEqual([1, 2]);
    await flush();
    expect(log.closed).toBe(true);
    expect(log.pulled).toBe(2);
  });

  it('passes a mapping error to the consumer and closes the source', async () => {
    const { log, numbers } = recordingSource(10);
    const failing = stream(() => numbers()).map((value) => {
      if (value === 2) throw new Error('bad item');
      return value;
    });
    await expect(failing.collect().execute(new WorkflowContext(), undefined)).rejects.toThrow('bad item');
    await flush();
    expect(log.closed).toBe(true);
  });

  it('narrows the item type with a type-guard filter', async () => {
    const mixed = stream<string | number>().filter((item): item is number => typeof item === 'number');
    expectTypeOf(mixed).toEqualTypeOf<StreamPrimitive<AsyncIterable<string | number> | Iterable<string | number>, number>>();
    expect(await mixed.collect().execute(new WorkflowContext(), [1, 'a', 2])).toEqual([1, 2]);
  });

  it('validates its arguments', () => {
    expect(() => new StreamPrimitive('x' as never)).toThrow(InvalidOptionsError);
    expect(() => stream<number>().map((value) => value, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => stream<number>().take(-1)).toThrow(/count/);
  });

  it('rejects next() with an InvalidInputError when the source is not iterable', async () => {
    const items = await stream(() => 42 as never).execute(new WorkflowContext(), undefined);
    await expect(items[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(InvalidInputError);
  });
});

/** Settles with what `promise` did, or with 'pending' when it has not settled within `limitMs` (real time). */
async function settledWithin<T>(promise: Promise<T>, limitMs: number): Promise<{ value: T } | { error: unknown } | 'pending'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), limitMs)));
  try {
    return await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A synchronous source of up to `limit` items that never awaits anything (bounded so a failing test ends). */
function* busy(limit: number, log: { pulled: number }): Generator<number> {
  for (let value = 0; value < limit; value++) {
    log.pulled = value + 1;
    yield value;
  }
}

describe('StreamPrimitive under hostile sources', () => {
  it('honours the context deadline after execute returned: the pending next() rejects and the source signal aborts', async () => {
    const clock = new ManualClock();
    let sourceSignal: AbortSignal | undefined;
    const endless = stream((_input: string, context) => {
      sourceSignal = context.signal;
      return (async function* () {
        yield 1;
        // Waits for what never comes, like a silent upstream; only an abort ends it.
        await new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true }));
      })();
    });
    const iterator = (await endless.execute(WorkflowContext.create({ clock, timeoutMs: 200 }), 'go'))[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 1 });
    const pending = iterator.next();
    clock.advance(199);
    expect(sourceSignal?.aborted).toBe(false);
    clock.advance(1);
    await expect(pending).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(sourceSignal?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('clears its deadline timer when the stream ends before the deadline', async () => {
    const clock = new ManualClock();
    const iterable = await stream<number>().execute(WorkflowContext.create({ clock, timeoutMs: 200 }), [1, 2]);
    const items: number[] = [];
    for await (const item of iterable) items.push(item);
    expect(items).toEqual([1, 2]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts an endless synchronous filter when the context times out', async () => {
    const log = { pulled: 0 };
    const nothingPasses = stream((_input: string) => busy(3_000_000, log)).filter(() => false);
    const started = performance.now();
    const iterator = (await nothingPasses.execute(WorkflowContext.create({ timeoutMs: 100 }), 'go'))[Symbol.asyncIterator]();
    const outcome = await settledWithin(iterator.next(), 5_000);
    expect(outcome !== 'pending' && 'error' in outcome && outcome.error).toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(log.pulled).toBeLessThan(3_000_000);
    await flush();
  });

  it('rejects collect() of an endless synchronous source at timeoutMs instead of filling the heap', async () => {
    const log = { pulled: 0 };
    const all = stream((_input: string) => busy(3_000_000, log)).collect();
    const started = performance.now();
    const outcome = await settledWithin(all.execute(WorkflowContext.create({ timeoutMs: 100 }), 'go'), 5_000);
    expect(outcome !== 'pending' && 'error' in outcome && outcome.error).toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(log.pulled).toBeLessThan(3_000_000);
    await flush();
  });

  it('still completes a long synchronous stream under fake timers (its breaks use the host timers)', async () => {
    // Real time keeps running (performance is not faked), so the stream takes its breaks.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] });
    try {
      const log = { pulled: 0 };
      const items = await stream((_input: string) => busy(300_000, log))
        .filter(() => true)
        .collect()
        .execute(new WorkflowContext(), 'go');
      expect(items).toHaveLength(300_000);
    } finally {
      vi.useRealTimers();
    }
  }, 20_000);

  it('rejects next() with InvalidInputError when the source resolves null, with or without stages', async () => {
    const nullSource = (): AsyncIterable<number> => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(null as unknown as IteratorResult<number>) }) });
    const syncNullSource = (): Iterable<number> => ({ [Symbol.iterator]: () => ({ next: () => 42 as unknown as IteratorResult<number> }) });
    for (const primitive of [stream(nullSource), stream(nullSource).map((item) => item), stream(nullSource).filter(() => true), stream(nullSource).take(1), stream(syncNullSource)]) {
      const iterator = (await primitive.execute(new WorkflowContext(), undefined))[Symbol.asyncIterator]();
      const outcome = await settledWithin(iterator.next(), 1_000);
      expect(outcome !== 'pending' && 'error' in outcome && outcome.error).toBeInstanceOf(InvalidInputError);
      // The iterator is finished: later calls end at once.
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    }
  });

  it('leaves no listener on the caller signal for 1,000 iterators dropped without return()', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const controller = new AbortController();
    const numbers = stream((_input: string) => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: false, value: 1 }) }),
    }));
    for (const context of [WorkflowContext.create({ signal: controller.signal }), WorkflowContext.create({ signal: controller.signal, timeoutMs: 60_000 })]) {
      await dropIterators(numbers, context, 1_000);
      for (let round = 0; round < 20 && getEventListeners(controller.signal, 'abort').length > 0; round++) {
        gc();
        await flush();
      }
      expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    }
  });
});

/** Opens `count` iterators, pulls one item from each and drops them (in its own frame, which then holds none of them). */
async function dropIterators(primitive: StreamPrimitive<string, number>, context: WorkflowContext, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const iterator = (await primitive.execute(context, 'go'))[Symbol.asyncIterator]();
    await iterator.next();
  }
}
