// Outside attack on cache keys, validation and streams (issue #13, items 7, 10 (cache), 18, 19):
// no input is answered with another input's output, no schema answer accepts a value it did not
// check, no stream outlives its deadline or starves the timers, and no dropped iterator keeps a
// listener on the caller's signal.
import { getEventListeners } from 'node:events';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DeadlineExceededError,
  InvalidInputError,
  UnkeyableInputError,
  ValidationError,
  WorkflowContext,
  cache,
  filter,
  step,
  stream,
  validate,
  type StandardSchemaV1,
} from '@tta/primitives';
import { describeValue, stableKey } from '@tta/primitives/instrumentation';
import { collectGarbage, settledHeapBytes, trackUnhandledRejections } from './leak-probe.js';
import { withinTime } from './typed-outcome.js';
import { record } from './figures.js';

class Session {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  get token(): string {
    return this.#token;
  }
}

/** Every pair the attack used: one key for both would let a cache answer one with the other. */
const collidingPairs: ReadonlyArray<readonly [string, unknown, unknown]> = [
  ['URLSearchParams', new URLSearchParams('user=alice'), new URLSearchParams('user=mallory')],
  ['ArrayBuffer', new Uint8Array([1, 2]).buffer, new Uint8Array([1, 3]).buffer],
  ['DataView', new DataView(new Uint8Array([1]).buffer), new DataView(new Uint8Array([2]).buffer)],
  ['private-field class', new Session('alice'), new Session('mallory')],
  ['RegExp', /apple/, /cherry/],
  ['Error', new Error('a'), new Error('b')],
  ['boxed number', new Number(1), new Number(2)],
  ['Uint8Array vs Float64Array', new Uint8Array([1]), new Float64Array([1])],
  ['Uint8Array vs {0:1}', new Uint8Array([1]), { 0: 1 }],
  ['Date vs ISO string', new Date(0), new Date(0).toISOString()],
  ['Invalid Date vs null', new Date(Number.NaN), null],
  ['-0 vs 0', -0, 0],
  ['symbol keys', { [Symbol('a')]: 1 }, { [Symbol('b')]: 2 }],
  ['registered symbol keys', { [Symbol.for('a')]: 1 }, { [Symbol.for('b')]: 1 }],
  ['sparse vs undefined', [, 1], [undefined, 1]], // eslint-disable-line no-sparse-arrays
  ['missing vs undefined field', {}, { a: undefined }],
  ['bigint vs number', 1n, 1],
  ['number vs string', 1, '1'],
  ['NaN vs null', Number.NaN, null],
  ['Map keys', new Map([[1, 'x']]), new Map([['1', 'x']])],
];

/** The key of `value`, or 'refused' when stableKey refuses it with the typed error. */
function keyOrRefusal(value: unknown): string {
  try {
    return stableKey(value);
  } catch (error) {
    expect(UnkeyableInputError.isInstance(error), `untyped failure: ${String(error)}`).toBe(true);
    return 'refused';
  }
}

describe('attack: cache keys (items 7, 10, 19)', () => {
  it('maps every colliding pair to two keys or refuses it with UnkeyableInputError', () => {
    for (const [label, left, right] of collidingPairs) {
      const leftKey = keyOrRefusal(left);
      const rightKey = keyOrRefusal(right);
      if (leftKey !== 'refused' && rightKey !== 'refused') expect(leftKey, label).not.toBe(rightKey);
    }
    expect(keyOrRefusal(new Session('alice'))).toBe('refused');
  });

  it('never serves one input the answer of another through cache()', async () => {
    let wrongAnswers = 0;
    for (const [label, left, right] of collidingPairs) {
      const answer = step('answer', (input: unknown) => ({ input }));
      const cached = cache(answer);
      const context = new WorkflowContext();
      const first = await cached.execute(context, left).catch((error: unknown) => error);
      const second = await cached.execute(context, right).catch((error: unknown) => error);
      for (const [input, outcome] of [[left, first], [right, second]] as const) {
        if (UnkeyableInputError.isInstance(outcome)) continue;
        if (!Object.is((outcome as { input: unknown }).input, input)) {
          wrongAnswers++;
          expect.fail(`${label}: served another input's answer`);
        }
      }
    }
    record('attack.keys.wrongAnswers', wrongAnswers);
  });

  it('refuses a toJSON returning its own object and a 20,000-deep array with UnkeyableInputError, not a RangeError', async () => {
    let deep: unknown[] = [];
    for (let level = 0; level < 20_000; level++) deep = [deep];
    const selfish = {
      toJSON(): unknown {
        return this;
      },
    };
    for (const input of [deep, selfish]) {
      expect(() => stableKey(input)).toThrow(UnkeyableInputError);
      await expect(cache(step('echo', (value: unknown) => value)).execute(new WorkflowContext(), input)).rejects.toBeInstanceOf(UnkeyableInputError);
    }
  });

  it('turns throwing getters and revoked proxies into the typed error, and describeValue never throws', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const getter = Object.defineProperty({}, 'secret', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    for (const input of [proxy, { nested: proxy }, getter]) expect(() => stableKey(input)).toThrow(UnkeyableInputError);
    expect(describeValue(proxy)).toBe('a revoked proxy');
  });

  it('never gives one key to structurally different generated values (property, 5,000 pairs)', () => {
    const mixed = fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withDate: true, withTypedArray: true, withSparseArray: true, withBigInt: true });
    fc.assert(
      fc.property(mixed, mixed, (left, right) => {
        const leftKey = keyOrRefusal(left);
        const rightKey = keyOrRefusal(right);
        if (leftKey === 'refused' || rightKey === 'refused') return;
        if (leftKey === rightKey) expect(canonical(left)).toStrictEqual(canonical(right));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('attack: validation (item 19)', () => {
  const failing = { issues: [{ message: 'not allowed' }] };
  const schema = (validateFn: (value: unknown) => unknown): StandardSchemaV1<unknown, unknown> => ({
    '~standard': { version: 1, vendor: 'attack', validate: validateFn as StandardSchemaV1['~standard']['validate'] },
  });

  it('rejects bad input when the schema answers with a thenable or a Promise of another realm', async () => {
    const thenable = schema(() => ({ then: (resolve: (result: unknown) => void) => resolve(failing) }));
    const foreign = schema(() => runInNewContext('Promise.resolve(failing)', { failing }) as unknown);
    for (const checked of [validate(thenable), validate(foreign)]) {
      await expect(checked.execute(new WorkflowContext(), { admin: true })).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('fails closed with InvalidInputError on a malformed schema answer', async () => {
    for (const answer of [null, 1, { issues: null }, { then: (resolve: (result: unknown) => void) => resolve(null) }]) {
      await expect(validate(schema(() => answer)).execute(new WorkflowContext(), 'x')).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});

/** A synchronous source that never awaits, bounded so that a regression ends (slowly) instead of hanging. */
function* busySource(limit: number): Generator<number> {
  for (let value = 0; value < limit; value++) yield value;
}

describe('attack: streams (item 18)', () => {
  it('honours a 200 ms context deadline after execute returned, aborting the source signal', async () => {
    let sourceSignal: AbortSignal | undefined;
    const slow = stream((_input: string, context) => {
      sourceSignal = context.signal;
      return (async function* () {
        for (let item = 0; item < 1_000; item++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          yield item;
        }
      })();
    });
    const started = performance.now();
    const iterable = await slow.execute(WorkflowContext.create({ timeoutMs: 200 }), 'go');
    const consumed = (async () => {
      let count = 0;
      for await (const _item of iterable) count++;
      return count;
    })();
    await expect(withinTime(consumed, 5_000, 'stream past its deadline')).rejects.toBeInstanceOf(DeadlineExceededError);
    const elapsedMs = performance.now() - started;
    record('attack.streams.deadlineStopMs', Math.round(elapsedMs));
    expect(elapsedMs).toBeLessThan(200 + 300);
    expect(sourceSignal?.aborted).toBe(true);
  });

  it('aborts an endless synchronous filter with timeoutMs', async () => {
    const nothingPasses = stream((_input: string) => busySource(5_000_000)).filter(() => false);
    const started = performance.now();
    const iterator = (await nothingPasses.execute(WorkflowContext.create({ timeoutMs: 100 }), 'go'))[Symbol.asyncIterator]();
    await expect(withinTime(iterator.next(), 10_000, 'endless filter')).rejects.toBeInstanceOf(DeadlineExceededError);
    const elapsedMs = performance.now() - started;
    record('attack.streams.endlessFilterStopMs', Math.round(elapsedMs));
    expect(elapsedMs).toBeLessThan(100 + 400);
  });

  it('rejects collect() of an endless synchronous source at timeoutMs: 100 with a bounded heap', async () => {
    const before = await settledHeapBytes();
    const started = performance.now();
    const all = stream((_input: string) => busySource(20_000_000)).collect();
    await expect(withinTime(all.execute(WorkflowContext.create({ timeoutMs: 100 }), 'go'), 10_000, 'endless collect')).rejects.toBeInstanceOf(DeadlineExceededError);
    const elapsedMs = performance.now() - started;
    const grownMiB = ((await settledHeapBytes()) - before) / 2 ** 20;
    record('attack.streams.endlessCollectStopMs', Math.round(elapsedMs));
    expect(elapsedMs).toBeLessThan(100 + 400);
    expect(grownMiB).toBeLessThan(20);
  });

  it('rejects next() with InvalidInputError when the source resolves null, with no unhandled rejection', async () => {
    const nullSource = (): AsyncIterable<number> => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(null as unknown as IteratorResult<number>) }) });
    const { unhandled } = await trackUnhandledRejections(async () => {
      for (const primitive of [stream(nullSource), stream(nullSource).map((item) => item * 2)]) {
        const iterator = (await primitive.execute(new WorkflowContext(), undefined))[Symbol.asyncIterator]();
        await expect(withinTime(iterator.next(), 1_000, 'null next()')).rejects.toBeInstanceOf(InvalidInputError);
      }
    });
    expect(unhandled).toEqual([]);
  });

  it('leaves no listener on the caller signal and no heap behind for 1,000 iterators dropped without return()', async () => {
    const controller = new AbortController();
    const ones = stream((_input: string) => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: false as const, value: new Array<number>(1_000).fill(1) }) }) }));
    const before = await settledHeapBytes();
    for (const context of [WorkflowContext.create({ signal: controller.signal }), WorkflowContext.create({ signal: controller.signal, timeoutMs: 60_000 })]) {
      await dropIterators(ones, context, 1_000);
      for (let round = 0; round < 20 && getEventListeners(controller.signal, 'abort').length > 0; round++) await collectGarbage();
      expect(getEventListeners(controller.signal, 'abort').length).toBe(0);
    }
    const grownMiB = ((await settledHeapBytes()) - before) / 2 ** 20;
    record('attack.streams.droppedIteratorHeapMiB', Number(grownMiB.toFixed(2)));
    expect(grownMiB).toBeLessThan(5);
  });
});

describe('attack: filter over a long array (item 18)', () => {
  it('stops synchronous predicates at the context deadline', async () => {
    const items = Array.from({ length: 2_000_000 }, (_, index) => index);
    const slowPredicate = filter((value: number) => {
      let sum = 0;
      for (let round = 0; round < 200; round++) sum += (value * round) % 7;
      return sum < 0;
    });
    const started = performance.now();
    await expect(withinTime(slowPredicate.execute(WorkflowContext.create({ timeoutMs: 100 }), items), 10_000, 'long filter')).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(performance.now() - started).toBeLessThan(100 + 400);
  });
});

/**
 * Opens `count` iterators, pulls one item from each and drops them without `return()`. In a
 * function of its own: a suspended async frame may still hold its last local values.
 */
async function dropIterators(primitive: ReturnType<typeof stream<string, number[]>>, context: WorkflowContext, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const iterator = (await primitive.execute(context, 'go'))[Symbol.asyncIterator]();
    await iterator.next();
  }
}

/** Plain objects with sorted keys, so deep equality ignores key order only. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value instanceof Set) return new Set([...value].map(canonical));
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [canonical(key), canonical(entry)]));
  if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .sort(([left], [right]) => (left < right ? -1 : 1))
        .map(([key, entry]) => [key, canonical(entry)]),
    );
  }
  return value;
}
