import { describe, expect, it } from 'vitest';
import {
  batch,
  budget,
  bulkhead,
  cache,
  circuitBreaker,
  compensation,
  conditional,
  fallback,
  filter,
  hedge,
  InMemoryCacheStore,
  InMemoryCircuitStateStore,
  InvalidInputError,
  parallel,
  ParallelPrimitive,
  rateLimit,
  retry,
  router,
  sequential,
  SequentialPrimitive,
  step,
  stream,
  timeout,
  validate,
  WorkflowPrimitive,
  type AnyPrimitive,
  type PrimitiveDescription,
  type WorkflowContext,
} from '@tta/primitives';
import type { PrimitiveChild, PrimitiveOptionsSummary } from '@tta/primitives/instrumentation';
import { MockPrimitive } from '@tta/primitives/testing';
import { z } from 'zod';

const fetchA = step('fetch-a', (input: string) => `${input}a`);
const fetchB = step('fetch-b', (input: string) => `${input}b`);
const leafA = { kind: 'step', name: 'fetch-a' };
const leafB = { kind: 'step', name: 'fetch-b' };

describe('WorkflowPrimitive.describe', () => {
  it('describes a step as its kind and name', () => {
    expect(fetchA.describe()).toEqual({ kind: 'step', name: 'fetch-a' });
    expect(new MockPrimitive({ name: 'model' }).describe()).toEqual({ kind: 'mock', name: 'model' });
  });

  it('describes a sequence as its steps in order, a shared step each time it is used', () => {
    expect(sequential(fetchA, fetchB, fetchA).describe()).toEqual({ kind: 'sequential', name: 'sequential', children: [leafA, leafB, leafA] });
  });

  it('describes parallel branches with their keys or indexes and the concurrency and mode', () => {
    expect(parallel({ a: fetchA, b: fetchB }).describe()).toEqual({
      kind: 'parallel',
      name: 'parallel',
      options: { concurrency: 'Infinity', mode: 'fail-fast' },
      children: [{ ...leafA, label: 'a' }, { ...leafB, label: 'b' }],
    });
    expect(new ParallelPrimitive([fetchA, fetchB], { concurrency: 2, mode: 'settle', name: 'both' }).describe()).toEqual({
      kind: 'parallel',
      name: 'both',
      options: { concurrency: 2, mode: 'settle' },
      children: [{ ...leafA, label: '0' }, { ...leafB, label: '1' }],
    });
  });

  it('describes routers, conditionals and fallbacks with their labels and callbacks as "function"', () => {
    expect(router({ routes: { short: fetchA, long: fetchB }, selector: () => 'short', defaultRoute: 'long' }).describe()).toEqual({
      kind: 'router',
      name: 'router',
      options: { selector: 'function', defaultRoute: 'long' },
      children: [{ ...leafA, label: 'short' }, { ...leafB, label: 'long' }],
    });
    expect(conditional({ condition: () => true, then: fetchA, else: fetchB }).describe()).toEqual({
      kind: 'conditional',
      name: 'conditional',
      options: { condition: 'function' },
      children: [{ ...leafA, label: 'then' }, { ...leafB, label: 'else' }],
    });
    expect(fallback(fetchA, [fetchB]).describe()).toEqual({
      kind: 'fallback',
      name: 'fallback(fetch-a)',
      children: [{ ...leafA, label: 'primary' }, { ...leafB, label: 'fallback 1' }],
    });
    expect(fallback(fetchA, [fetchB], { fallbackOn: () => true }).describe().options).toEqual({ fallbackOn: 'function' });
  });

  it('describes every recovery wrapper with its settings, defaults included', () => {
    expect(retry(fetchA, { maxAttempts: 3 }).describe()).toEqual({
      kind: 'retry',
      name: 'retry(fetch-a)',
      options: { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 30_000, factor: 2, jitter: 'decorrelated', maxRetryAfterMs: 60_000 },
      children: [leafA],
    });
    expect(retry(fetchA, { backoff: () => 5, retryOn: () => true, maxAttempts: Infinity }).describe().options).toMatchObject({ backoff: 'function', retryOn: 'function', maxAttempts: 'Infinity' });
    expect(timeout(fetchA, { timeoutMs: 5_000, fallback: fetchB }).describe()).toEqual({
      kind: 'timeout',
      name: 'timeout(fetch-a)',
      options: { timeoutMs: 5_000 },
      children: [leafA, { ...leafB, label: 'fallback' }],
    });
    expect(circuitBreaker(fetchA, { failureThreshold: 3 }).describe().options).toEqual({
      failureThreshold: 3,
      breakDurationMs: 30_000,
      halfOpenMaxCalls: 1,
      halfOpenSuccessThreshold: 1,
    });
    expect(circuitBreaker(fetchA, { failureRatio: 0.5, minimumThroughput: 20, windowMs: 10_000, breakOn: () => true, store: new InMemoryCircuitStateStore(), refreshMs: 1_000 }).describe().options).toEqual({
      failureRatio: 0.5,
      minimumThroughput: 20,
      windowMs: 10_000,
      breakDurationMs: 30_000,
      halfOpenMaxCalls: 1,
      halfOpenSuccessThreshold: 1,
      breakOn: 'function',
      store: 'InMemoryCircuitStateStore',
      refreshMs: 1_000,
    });
    const release = step('release', () => undefined);
    expect(compensation({ steps: [{ step: fetchA, undo: release }] }).describe()).toEqual({
      kind: 'compensation',
      name: 'compensation',
      options: { undoTimeoutMs: 30_000 },
      children: [{ ...leafA, label: 'step 1' }, { kind: 'step', name: 'release', label: 'undo 1' }],
    });
    expect(budget(fetchA, { maxCostUsd: 0.5, maxCalls: 3 }).describe()).toEqual({
      kind: 'budget',
      name: 'budget(fetch-a)',
      options: { maxCostUsd: 0.5, maxCalls: 3 },
      children: [leafA],
    });
  });

  it('describes every flow primitive with its settings', () => {
    expect(cache(fetchA, { ttlMs: 60_000 }).describe()).toEqual({
      kind: 'cache',
      name: 'cache(fetch-a)',
      options: { ttlMs: 60_000, staleWhileRevalidateMs: 0, maxEntries: 1000, store: 'InMemoryCacheStore' },
      children: [leafA],
    });
    class SharedStore extends InMemoryCacheStore<string> {}
    expect(cache(fetchA, { store: new SharedStore(), key: (input: string) => input }).describe().options).toMatchObject({ store: 'SharedStore', key: 'function' });
    expect(bulkhead(fetchA, { maxConcurrent: 2, maxQueue: 5 }).describe().options).toEqual({ maxConcurrent: 2, maxQueue: 5 });
    expect(rateLimit(fetchA, { tokensPerInterval: 10, intervalMs: 1_000 }).describe().options).toEqual({
      tokensPerInterval: 10,
      intervalMs: 1_000,
      burst: 10,
      limiter: 'TokenBucketLimiter',
      mode: 'wait',
      maxWaitMs: 'Infinity',
    });
    expect(hedge(fetchA, { delayMs: 50 }).describe().options).toEqual({ delayMs: 50, maxHedges: 1 });
    const lookUp = step('look-up', (keys: string[]) => keys);
    expect(batch(lookUp, { maxBatchSize: 10, maxWaitMs: 5 }).describe()).toEqual({
      kind: 'batch',
      name: 'batch(look-up)',
      options: { maxBatchSize: 10, maxWaitMs: 5 },
      children: [{ kind: 'step', name: 'look-up' }],
    });
    expect(filter((item: number) => item > 0, { concurrency: 4 }).describe()).toEqual({
      kind: 'filter',
      name: 'filter',
      options: { predicate: 'function', onReject: 'skip', concurrency: 4 },
    });
    expect(validate(z.object({ id: z.string() }), { name: 'order' }).describe()).toEqual({ kind: 'validate', name: 'order', options: { schema: 'zod' } });
    const words = stream((text: string) => text.split(' '), { name: 'words' }).map((word) => word.length).take(3);
    expect(words.describe()).toEqual({ kind: 'stream', name: 'words', options: { source: 'function', stages: 2 } });
    expect(words.collect().describe()).toEqual({
      kind: 'stream-collect',
      name: 'words.collect',
      children: [{ kind: 'stream', name: 'words', options: { source: 'function', stages: 2 } }],
    });
  });

  it('is plain JSON: it survives a JSON round trip unchanged', () => {
    const workflow = sequential(
      validate(z.string()),
      parallel({ a: retry(fetchA), b: cache(timeout(fetchB, { timeoutMs: 100 })) }),
      step('join', (parts: { a: string; b: string }) => parts.a + parts.b),
    );
    const description = workflow.describe();
    expect(JSON.parse(JSON.stringify(description))).toEqual(description);
  });

  it('redacts credentials in string options and bounds long strings', () => {
    class Keyed extends WorkflowPrimitive<string, string> {
      constructor(private readonly endpoint: string) {
        super('keyed');
      }
      override _describeOptions(): PrimitiveOptionsSummary {
        return { endpoint: this.endpoint, apiKey: 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', nothing: undefined };
      }
      protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return Promise.resolve(input);
      }
    }
    const options = new Keyed('https://user:hunter2@api.example.com/v1').describe().options!;
    expect(options['endpoint']).toBe('https://user:[REDACTED]@api.example.com/v1');
    expect(options['apiKey']).toBe('[REDACTED]');
    expect(Object.keys(options)).toEqual(['endpoint', 'apiKey']);
    const long = new Keyed('x'.repeat(5_000)).describe().options!['endpoint'] as string;
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toBe(new Keyed(`${'x'.repeat(4_999)}y`).describe().options!['endpoint']);
    expect(step('n'.repeat(1_000), (input: string) => input).describe().name.length).toBeLessThanOrEqual(200);
  });

  it('refuses an option that is not a number, a string, a boolean or a function', () => {
    class Leaky extends WorkflowPrimitive<string, string> {
      constructor() {
        super('leaky');
      }
      override _describeOptions(): PrimitiveOptionsSummary {
        return { client: { token: 'secret' } };
      }
      protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return Promise.resolve(input);
      }
    }
    expect(() => new Leaky().describe()).toThrow(InvalidInputError);
    expect(() => new Leaky().describe()).toThrow('option "client" of "leaky"');
  });

  it('describes a custom subclass as its kind and name, plus the children it lists', () => {
    class Twice<T> extends WorkflowPrimitive<T, T> {
      constructor(private readonly inner: WorkflowPrimitive<T, T>) {
        super();
      }
      override _children(): readonly PrimitiveChild[] {
        return [{ label: 'twice', primitive: this.inner }];
      }
      protected async executeImpl(context: WorkflowContext, input: T): Promise<T> {
        return this.inner.execute(context, await this.inner.execute(context, input));
      }
    }
    class Plain extends WorkflowPrimitive<string, string> {
      constructor() {
        super();
      }
      protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return Promise.resolve(input);
      }
    }
    expect(new Plain().describe()).toEqual({ kind: 'plain', name: 'plain' });
    expect(new Twice(fetchA).describe()).toEqual({ kind: 'twice', name: 'twice', children: [{ ...leafA, label: 'twice' }] });
  });

  it('refuses a custom _children() or _describeOptions() that returns something else, naming the primitive', () => {
    class Broken extends WorkflowPrimitive<string, string> {
      constructor(private readonly children: unknown, private readonly summary: unknown = undefined) {
        super('broken');
      }
      override _children(): readonly PrimitiveChild[] {
        return this.children as readonly PrimitiveChild[];
      }
      override _describeOptions(): PrimitiveOptionsSummary | undefined {
        return this.summary as PrimitiveOptionsSummary | undefined;
      }
      protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return Promise.resolve(input);
      }
    }
    expect(() => new Broken('fetch-a').describe()).toThrow(/_children\(\) of "broken" returned .*, not an array/);
    expect(() => new Broken([fetchA]).describe()).toThrow(/_children\(\)\[0\] of "broken" is .*not \{ label: string \| undefined, primitive \}/);
    expect(() => new Broken([{ label: 3, primitive: fetchA }]).describe()).toThrow(InvalidInputError);
    expect(() => new Broken([], ['limit']).describe()).toThrow(/_describeOptions\(\) of "broken" returned .*, not an object/);
  });

  it('draws a primitive from an older copy of the package, which has no graph methods, as a leaf', () => {
    const old = Object.assign(Object.create(null) as AnyPrimitive, { name: 'legacy', kind: 'step' });
    const parent = new (class extends WorkflowPrimitive<string, string> {
      constructor() {
        super('holder');
      }
      override _children(): readonly PrimitiveChild[] {
        return [{ label: 'old', primitive: old }];
      }
      protected executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return Promise.resolve(input);
      }
    })();
    expect(parent.describe()).toEqual({ kind: 'holder', name: 'holder', children: [{ kind: 'step', name: 'legacy', label: 'old' }] });
  });

  it('refuses a workflow that contains itself, naming it', () => {
    const routes: Record<string, AnyPrimitive> = { a: fetchA };
    const loop = router({ routes, selector: () => 'a', name: 'loop' });
    routes['again'] = loop;
    expect(() => loop.describe()).toThrow(InvalidInputError);
    expect(() => loop.describe()).toThrow('"loop" contains itself');
  });

  it('refuses a workflow too big or too deep to describe, instead of overflowing the stack', () => {
    let deep: AnyPrimitive = fetchA;
    for (let level = 0; level < 300; level++) deep = retry(deep, { name: `retry ${level}` });
    expect(() => deep.describe()).toThrow(/nests deeper than 256 levels/);
    const wide = new SequentialPrimitive(Array.from({ length: 10_001 }, () => fetchB));
    expect(() => wide.describe()).toThrow(/more than 10000 primitives/);
  });

  it('gives the description type that the public entry exports', () => {
    const description: PrimitiveDescription = fetchA.describe();
    expect(description.children).toBeUndefined();
  });
});
