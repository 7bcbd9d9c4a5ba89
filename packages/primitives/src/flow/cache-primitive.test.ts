import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { WorkflowContext, InvalidOptionsError, step } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock, MockPrimitive } from '@tta/primitives/testing';
import { CachePrimitive, cache } from './cache-primitive.js';
import { InMemoryCacheStore } from './in-memory-cache-store.js';
import type { CacheEntry, CacheStore } from './cache-store.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';
import { UnkeyableInputError } from '../errors/unkeyable-input-error.js';

afterEach(() => expectNoTimerLeaks());

/** A step whose calls the test settles by hand. */
function controlled<TOutput>() {
  const pending: Array<{ input: string; signal: AbortSignal; resolve: (value: TOutput) => void; reject: (error: unknown) => void }> = [];
  const primitive = step('controlled', (input: string, context) => {
    const signal = context.signal;
    return new Promise<TOutput>((resolve, reject) => {
      pending.push({ input, signal, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  });
  return { primitive, pending };
}

/** A CacheStore without the synchronous fast path, as a remote store would be. */
class AsyncMapStore<TValue> implements CacheStore<TValue> {
  readonly specificationVersion = 1 as const;
  readonly entries = new Map<string, CacheEntry<TValue>>();
  gets = 0;
  async get(key: string) {
    this.gets++;
    await Promise.resolve();
    return this.entries.get(key);
  }
  async set(key: string, entry: CacheEntry<TValue>) {
    await Promise.resolve();
    this.entries.set(key, entry);
  }
  async delete(key: string) {
    return this.entries.delete(key);
  }
}

describe('CachePrimitive', () => {
  it('runs the inner primitive on a miss and answers the next call from the cache', async () => {
    const inner = new MockPrimitive<string, string>({ implementation: (input) => input.toUpperCase() });
    const cached = cache(inner);
    const context = new WorkflowContext();
    expect(await cached.execute(context, 'hello')).toBe('HELLO');
    expect(await cached.execute(context, 'hello')).toBe('HELLO');
    expect(await cached.execute(context, 'other')).toBe('OTHER');
    expect(inner.callCount).toBe(2);
    expect(cached.stats()).toEqual({ hits: 1, misses: 2, staleHits: 0, evictions: 0, size: 2, hitRatio: 1 / 3 });
  });

  it('keys objects by content, whatever the order of their keys', async () => {
    const inner = new MockPrimitive<{ a: number; b: number }, number>({ implementation: ({ a, b }) => a + b });
    const cached = cache(inner);
    const context = new WorkflowContext();
    await cached.execute(context, { a: 1, b: 2 });
    await cached.execute(context, { b: 2, a: 1 });
    expect(inner.callCount).toBe(1);
  });

  it('uses the key function, which gets the input and the context', async () => {
    const inner = new MockPrimitive<{ id: string; noise: number }, string>({ implementation: ({ id }) => id });
    const key = vi.fn((input: { id: string }, context: WorkflowContext) => `${String(context.data.tenant)}:${input.id}`);
    const cached = cache(inner, { key });
    await cached.execute(new WorkflowContext({ data: { tenant: 't1' } }), { id: 'x', noise: 1 });
    await cached.execute(new WorkflowContext({ data: { tenant: 't1' } }), { id: 'x', noise: 2 });
    await cached.execute(new WorkflowContext({ data: { tenant: 't2' } }), { id: 'x', noise: 3 });
    expect(inner.callCount).toBe(2);
    expect(key.mock.calls[0]![1]).toBeInstanceOf(WorkflowContext);
  });

  it('runs the inner primitive once for 100 concurrent misses of one key', async () => {
    const { primitive, pending } = controlled<string>();
    const cached = cache(primitive);
    const context = new WorkflowContext();
    const runs = Array.from({ length: 100 }, () => cached.execute(context, 'same'));
    await Promise.resolve();
    expect(pending).toHaveLength(1);
    pending[0]!.resolve('value');
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 100 }, () => 'value'));
    expect(pending).toHaveLength(1);
    expect(cached.stats()).toMatchObject({ misses: 100, hits: 0 });
  });

  it('runs the inner primitive once for 100 concurrent misses through an async store', async () => {
    const { primitive, pending } = controlled<string>();
    const store = new AsyncMapStore<string>();
    const cached = cache(primitive, { store });
    const context = new WorkflowContext();
    const runs = Array.from({ length: 100 }, () => cached.execute(context, 'same'));
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    expect(pending).toHaveLength(1);
    pending[0]!.resolve('value');
    expect(new Set(await Promise.all(runs))).toEqual(new Set(['value']));
    expect(pending).toHaveLength(1);
    expect(await cached.execute(context, 'same')).toBe('value');
    expect(store.entries.get('same')?.value).toBe('value');
  });

  it('lets a caller that aborts while waiting leave without cancelling the run for the others', async () => {
    const { primitive, pending } = controlled<string>();
    const cached = cache(primitive);
    const leaving = new AbortController();
    const staying = new AbortController();
    const first = cached.execute(new WorkflowContext({ signal: leaving.signal }), 'k');
    const second = cached.execute(new WorkflowContext({ signal: staying.signal }), 'k');
    await Promise.resolve();
    const reason = new Error('caller left');
    leaving.abort(reason);
    await expect(first).rejects.toBe(reason);
    expect(pending[0]!.signal.aborted).toBe(false);
    pending[0]!.resolve('done');
    await expect(second).resolves.toBe('done');
    expect(await cached.execute(new WorkflowContext(), 'k')).toBe('done');
    expect(pending).toHaveLength(1);
  });

  it('aborts the shared run when every waiting caller has left, and starts afresh on the next call', async () => {
    const { primitive, pending } = controlled<string>();
    const cached = cache(primitive);
    const one = new AbortController();
    const two = new AbortController();
    const first = cached.execute(new WorkflowContext({ signal: one.signal }), 'k').catch((error: unknown) => error);
    const second = cached.execute(new WorkflowContext({ signal: two.signal }), 'k').catch((error: unknown) => error);
    await Promise.resolve();
    one.abort('one');
    expect(pending[0]!.signal.aborted).toBe(false);
    two.abort('two');
    expect(pending[0]!.signal.aborted).toBe(true);
    expect(await first).toBe('one');
    expect(await second).toBe('two');
    const third = cached.execute(new WorkflowContext(), 'k');
    await Promise.resolve();
    expect(pending).toHaveLength(2);
    pending[1]!.resolve('fresh');
    await expect(third).resolves.toBe('fresh');
  });

  it('does not cache errors: every caller of a failed run gets the error, the next call runs again', async () => {
    const error = new Error('model down');
    const inner = new MockPrimitive<string, string>({ sequence: [{ error }, { value: 'ok' }] });
    const cached = cache(inner);
    const context = new WorkflowContext();
    const failing = [cached.execute(context, 'q'), cached.execute(context, 'q')];
    await expect(failing[0]).rejects.toBe(error);
    await expect(failing[1]).rejects.toBe(error);
    expect(inner.callCount).toBe(1);
    expect(await cached.execute(context, 'q')).toBe('ok');
    expect(inner.callCount).toBe(2);
    expect(cached.stats().size).toBe(1);
  });

  it('expires entries after ttlMs on the injected clock', async () => {
    const clock = new ManualClock(1_000);
    const inner: MockPrimitive<string, number> = new MockPrimitive<string, number>({ implementation: (): number => inner.callCount });
    const cached = cache(inner, { ttlMs: 100, clock });
    const context = new WorkflowContext();
    expect(await cached.execute(context, 'k')).toBe(1);
    clock.advance(99);
    expect(await cached.execute(context, 'k')).toBe(1);
    clock.advance(1);
    expect(await cached.execute(context, 'k')).toBe(2);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 2, evictions: 1, size: 1 });
  });

  it("uses the context's clock when the cache has none", async () => {
    const clock = new ManualClock();
    const inner: MockPrimitive<string, number> = new MockPrimitive<string, number>({ implementation: (): number => inner.callCount });
    const cached = cache(inner, { ttlMs: 50 });
    const context = new WorkflowContext({ clock });
    await cached.execute(context, 'k');
    clock.advance(50);
    expect(await cached.execute(context, 'k')).toBe(2);
  });

  it('serves a stale value once expired, refreshes it once in the background, then serves the fresh one', async () => {
    const clock = new ManualClock();
    const { primitive, pending } = controlled<string>();
    const cached = cache(primitive, { ttlMs: 100, staleWhileRevalidateMs: 1_000, clock });
    const stale = vi.fn();
    cached.onStale(stale);
    const context = new WorkflowContext({ clock });
    const first = cached.execute(context, 'k');
    await Promise.resolve();
    pending[0]!.resolve('v1');
    expect(await first).toBe('v1');

    clock.advance(150);
    expect(await cached.execute(context, 'k')).toBe('v1');
    expect(await cached.execute(context, 'k')).toBe('v1');
    expect(pending).toHaveLength(2);
    expect(stale.mock.calls.map(([event]) => event.refreshStarted)).toEqual([true, false]);

    pending[1]!.resolve('v2');
    await Promise.resolve();
    await Promise.resolve();
    expect(await cached.execute(context, 'k')).toBe('v2');
    expect(pending).toHaveLength(2);
    expect(cached.stats()).toMatchObject({ hits: 3, staleHits: 2, misses: 1 });
  });

  it('keeps the stale value when the background refresh fails, until the stale window ends', async () => {
    const clock = new ManualClock();
    const failure = new Error('refresh failed');
    const inner = new MockPrimitive<string, string>({ sequence: [{ value: 'v1' }, { error: failure }, { value: 'v3' }] });
    const cached = cache(inner, { ttlMs: 100, staleWhileRevalidateMs: 100, clock });
    const errors: unknown[] = [];
    cached.onError((event) => errors.push(event));
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const context = new WorkflowContext({ clock });
      await cached.execute(context, 'k');
      clock.advance(120);
      expect(await cached.execute(context, 'k')).toBe('v1');
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toEqual([{ key: 'k', phase: 'refresh', error: failure }]);
      clock.advance(79);
      expect(await cached.execute(context, 'k')).toBe('v1');
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(1);
      expect(await cached.execute(context, 'k')).toBe('v3');
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('never lets a failed refresh become an unhandled rejection, even without an onError listener', async () => {
    const clock = new ManualClock();
    const inner = new MockPrimitive<string, string>({ sequence: [{ value: 'v1' }, { error: new Error('refresh failed') }] });
    const cached = cache(inner, { ttlMs: 10, staleWhileRevalidateMs: 100, clock });
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const context = new WorkflowContext({ clock });
      await cached.execute(context, 'k');
      clock.advance(20);
      expect(await cached.execute(context, 'k')).toBe('v1');
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('lets callers that join a hanging refresh after the stale window abort it, so the next call starts afresh', async () => {
    const clock = new ManualClock();
    const { primitive, pending } = controlled<string>();
    const cached = cache(primitive, { ttlMs: 10, staleWhileRevalidateMs: 10, clock });
    cached.onError(() => undefined);
    const context = new WorkflowContext({ clock });
    const first = cached.execute(context, 'k');
    await Promise.resolve();
    pending[0]!.resolve('v1');
    await first;
    clock.advance(15);
    expect(await cached.execute(context, 'k')).toBe('v1'); // stale; the refresh hangs
    clock.advance(10); // past the stale window
    const controller = new AbortController();
    const joined = cached.execute(new WorkflowContext({ clock, signal: controller.signal }), 'k');
    expect(pending).toHaveLength(2);
    controller.abort('gave up');
    await expect(joined).rejects.toBe('gave up');
    expect(pending[1]!.signal.aborted).toBe(true);
    const fresh = cached.execute(context, 'k');
    await Promise.resolve();
    expect(pending).toHaveLength(3);
    pending[2]!.resolve('v3');
    expect(await fresh).toBe('v3');
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const inner = new MockPrimitive<string, string>({ implementation: (input) => input });
    const cached = cache(inner, { maxEntries: 2 });
    const evicted: string[] = [];
    cached.onEvict((event) => evicted.push(`${event.key}:${event.reason}`));
    const context = new WorkflowContext();
    await cached.execute(context, 'a');
    await cached.execute(context, 'b');
    await cached.execute(context, 'a'); // a is now the most recent
    await cached.execute(context, 'c'); // evicts b
    expect(evicted).toEqual(['b:capacity']);
    expect(cached.stats()).toMatchObject({ size: 2, evictions: 1 });
    await cached.execute(context, 'a');
    expect(inner.callCount).toBe(3);
    await cached.execute(context, 'b');
    expect(inner.callCount).toBe(4);
  });

  it('invalidates one key and clears all, and an invalidated run in flight does not store its result', async () => {
    const { primitive, pending } = controlled<string>();
    const cached = cache(primitive);
    const context = new WorkflowContext();
    const run = cached.execute(context, 'k');
    await Promise.resolve();
    expect(await cached.invalidate('k')).toBe(false);
    pending[0]!.resolve('old');
    expect(await run).toBe('old');
    expect(cached.stats().size).toBe(0);

    const again = cached.execute(context, 'k');
    await Promise.resolve();
    pending[1]!.resolve('new');
    await again;
    expect(await cached.invalidate('k')).toBe(true);
    const other = cached.execute(context, 'j');
    await Promise.resolve();
    pending[2]!.resolve('j');
    await other;
    await cached.clear();
    expect(cached.stats().size).toBe(0);
  });

  it('computes the key of an input with keyOf, for invalidate', async () => {
    const inner = new MockPrimitive<{ q: string }, string>({ implementation: ({ q }) => q });
    const cached = cache(inner);
    const context = new WorkflowContext();
    await cached.execute(context, { q: 'x' });
    expect(await cached.invalidate(cached.keyOf({ q: 'x' }, context))).toBe(true);
  });

  it('rejects clear() when a custom store has no clear', async () => {
    const cached = cache(new MockPrimitive<string, string>({ returnValue: 'x' }), { store: new AsyncMapStore<string>() });
    await expect(cached.clear()).rejects.toThrow(/no clear/);
  });

  it('reports hits, misses, stale hits and evictions to the events and the instrumentation seam', async () => {
    const clock = new ManualClock();
    const seen: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => seen.push(event) });
    try {
      const inner = new MockPrimitive<string, string>({ implementation: (input) => input });
      const cached = cache(inner, { ttlMs: 10, staleWhileRevalidateMs: 10, maxEntries: 1, clock });
      const hits = vi.fn();
      const misses = vi.fn();
      using _hit = cached.onHit(hits);
      using _miss = cached.onMiss(misses);
      const context = new WorkflowContext({ clock });
      await cached.execute(context, 'a');
      await cached.execute(context, 'a');
      clock.advance(15);
      await cached.execute(context, 'a');
      await new Promise((resolve) => setImmediate(resolve));
      await cached.execute(context, 'b');
      expect(seen.map((event) => event.type)).toEqual(['cache-miss', 'cache-hit', 'cache-stale', 'cache-miss', 'cache-evict']);
      expect(hits.mock.calls.map(([event]) => event.stale)).toEqual([false, true]);
      expect(misses.mock.calls.map(([event]) => event.key)).toEqual(['a', 'b']);
    } finally {
      registration.dispose();
    }
  });

  it('answers a hit without reading the clock when entries never expire', async () => {
    const clock = new ManualClock();
    const now = vi.spyOn(clock, 'now');
    const cached = cache(new MockPrimitive<string, string>({ returnValue: 'x' }), { clock });
    const context = new WorkflowContext();
    await cached.execute(context, 'k');
    now.mockClear();
    await cached.execute(context, 'k');
    expect(now).not.toHaveBeenCalled();
  });

  it('absorbs a failing store: a failing get is a miss, a failing set still answers the caller', async () => {
    const store: CacheStore<string> = {
      specificationVersion: 1,
      get: () => Promise.reject(new Error('get failed')),
      set: () => Promise.reject(new Error('set failed')),
      delete: () => Promise.resolve(false),
    };
    const cached = cache(new MockPrimitive<string, string>({ returnValue: 'x' }), { store });
    const phases: string[] = [];
    cached.onError((event) => phases.push(event.phase));
    expect(await cached.execute(new WorkflowContext(), 'k')).toBe('x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(phases).toEqual(['get', 'set']);
  });

  it('validates its options at construction', () => {
    const inner = new MockPrimitive<string, string>({ returnValue: 'x' });
    expect(() => cache(inner, { ttlMs: 0 })).toThrow(InvalidOptionsError);
    expect(() => cache(inner, { ttlMs: -1 })).toThrow(/ttlMs/);
    expect(() => cache(inner, { maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => cache(inner, { maxEntries: 1.5 })).toThrow(/maxEntries/);
    expect(() => cache(inner, { staleWhileRevalidateMs: -5 })).toThrow(/staleWhileRevalidateMs/);
    expect(() => cache(inner, { store: {} as CacheStore<string> })).toThrow(/store/);
    expect(() => cache(inner, { store: new InMemoryCacheStore(), maxEntries: 5 })).toThrow(/maxEntries/);
    expect(() => cache(inner, { key: 'id' as never })).toThrow(/key/);
    expect(() => new CachePrimitive({} as never)).toThrow(/inner/);
  });

  it('never holds more entries than maxEntries, for any sequence of operations (property)', async () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('invalidate' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('fail' as const), key: fc.integer({ min: 0, max: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(operation, { maxLength: 60 }), async (maxEntries, operations) => {
        const clock = new ManualClock();
        const store = new InMemoryCacheStore<string>({ maxEntries });
        const failing = new Set<string>();
        const inner = step('inner', (input: string) => {
          if (failing.delete(input)) throw new Error('fail');
          return input;
        });
        const cached = cache(inner, { store, ttlMs: 30, staleWhileRevalidateMs: 20, clock });
        const context = new WorkflowContext({ clock });
        for (const op of operations) {
          if (op.kind === 'advance') clock.advance(op.ms);
          else if (op.kind === 'invalidate') await cached.invalidate(String(op.key));
          else {
            if (op.kind === 'fail') failing.add(String(op.key));
            await cached.execute(context, String(op.key)).catch(() => undefined);
            await Promise.resolve();
          }
          expect(store.size).toBeLessThanOrEqual(maxEntries);
        }
        await new Promise((resolve) => setImmediate(resolve));
        expect(store.size).toBeLessThanOrEqual(maxEntries);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CachePrimitive default keys', () => {
  const echo = () => step('echo', (input: unknown) => (input instanceof URLSearchParams ? input.toString() : input instanceof Uint8Array ? [...input] : input));

  it('answers each URLSearchParams, buffer and Date by its own content, never with another input\'s output', async () => {
    const context = new WorkflowContext();
    const cached = cache(echo());
    expect(await cached.execute(context, new URLSearchParams('q=apple'))).toBe('q=apple');
    expect(await cached.execute(context, new URLSearchParams('q=cherry'))).toBe('q=cherry');
    expect(await cached.execute(context, new Uint8Array([1]))).toEqual([1]);
    expect(await cached.execute(context, new Uint8Array([2]))).toEqual([2]);
    expect(await cached.execute(context, { at: new Date(0) })).toEqual({ at: new Date(0) });
    expect(await cached.execute(context, { at: new Date(0).toISOString() })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(cached.stats().hits).toBe(0);
  });

  it('rejects a class instance with private state with UnkeyableInputError naming the cache, and runs nothing', async () => {
    class Session {
      readonly #id: string;
      constructor(id: string) {
        this.#id = id;
      }
      get id(): string {
        return this.#id;
      }
    }
    const inner = new MockPrimitive<unknown, string>({ returnValue: 'answer' });
    const cached = cache(inner, { name: 'answers' });
    const error: unknown = await cached.execute(new WorkflowContext(), { session: new Session('a') }).catch((caught: unknown) => caught);
    expect(UnkeyableInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^cache "answers": cannot make a key from input\.session: a Session instance/);
    expect(inner.callCount).toBe(0);
  });

  it('rejects a 20,000-deep input and a toJSON returning its own object with UnkeyableInputError, not a RangeError', async () => {
    const cached = cache(echo());
    let deep: unknown[] = [];
    for (let level = 0; level < 20_000; level++) deep = [deep];
    await expect(cached.execute(new WorkflowContext(), deep)).rejects.toBeInstanceOf(UnkeyableInputError);
    const selfish = { toJSON(): unknown {
      return this;
    } };
    await expect(cached.execute(new WorkflowContext(), selfish)).rejects.toBeInstanceOf(UnkeyableInputError);
  });
});
