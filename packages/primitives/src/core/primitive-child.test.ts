import { describe, expect, it } from 'vitest';
import {
  batch,
  bulkhead,
  cache,
  circuitBreaker,
  compensation,
  conditional,
  fallback,
  filter,
  hedge,
  parallel,
  rateLimit,
  retry,
  router,
  sequential,
  step,
  stream,
  timeout,
  validate,
  type AnyPrimitive,
} from '@tta/primitives';
import type { PrimitiveChild } from '@tta/primitives/instrumentation';
import { failFirst, MockPrimitive } from '@tta/primitives/testing';
import { z } from 'zod';

const fetchA = step('fetch-a', (input: string) => `${input}a`);
const fetchB = step('fetch-b', (input: string) => `${input}b`);
const fetchC = step('fetch-c', (input: string) => `${input}c`);

/** The children as plain pairs, so a failure shows names rather than whole primitives. */
function childrenOf(primitive: AnyPrimitive): { label: string | undefined; name: string }[] {
  return primitive._children().map((child: PrimitiveChild) => ({ label: child.label, name: child.primitive.name }));
}

describe('WorkflowPrimitive._children', () => {
  it('is empty for a leaf', () => {
    expect(fetchA._children()).toEqual([]);
    expect(new MockPrimitive({ returnValue: 1 })._children()).toEqual([]);
    expect(validate(z.string())._children()).toEqual([]);
    expect(filter((item: number) => item > 0)._children()).toEqual([]);
    expect(stream((input: string) => [input])._children()).toEqual([]);
  });

  it('lists a sequence in order, without labels, a shared step as often as it runs', () => {
    expect(childrenOf(sequential(fetchA, fetchB, fetchA))).toEqual([
      { label: undefined, name: 'fetch-a' },
      { label: undefined, name: 'fetch-b' },
      { label: undefined, name: 'fetch-a' },
    ]);
    expect(childrenOf(fetchA.pipe(fetchB).pipe(fetchC)).map((child) => child.name)).toEqual(['fetch-a', 'fetch-b', 'fetch-c']);
  });

  it('labels parallel branches by index or by record key, in definition order', () => {
    expect(childrenOf(parallel(fetchA, fetchB))).toEqual([
      { label: '0', name: 'fetch-a' },
      { label: '1', name: 'fetch-b' },
    ]);
    expect(childrenOf(parallel({ second: fetchB, first: fetchA }))).toEqual([
      { label: 'second', name: 'fetch-b' },
      { label: 'first', name: 'fetch-a' },
    ]);
  });

  it('labels router routes, conditional branches and fallback alternatives', () => {
    expect(childrenOf(router({ routes: { short: fetchA, long: fetchB }, selector: () => 'short', defaultRoute: 'long' }))).toEqual([
      { label: 'short', name: 'fetch-a' },
      { label: 'long', name: 'fetch-b' },
    ]);
    expect(childrenOf(conditional({ condition: () => true, then: fetchA, else: fetchB }))).toEqual([
      { label: 'then', name: 'fetch-a' },
      { label: 'else', name: 'fetch-b' },
    ]);
    expect(childrenOf(conditional({ condition: () => true, then: fetchA }))).toEqual([{ label: 'then', name: 'fetch-a' }]);
    expect(childrenOf(fallback(fetchA, [fetchB, fetchC]))).toEqual([
      { label: 'primary', name: 'fetch-a' },
      { label: 'fallback 1', name: 'fetch-b' },
      { label: 'fallback 2', name: 'fetch-c' },
    ]);
  });

  it('lists each saga step before its undo', () => {
    const release = step('release', () => undefined);
    const refund = step('refund', () => undefined);
    expect(childrenOf(compensation({ steps: [{ step: fetchA, undo: release }, { step: fetchB, undo: refund }] }))).toEqual([
      { label: 'step 1', name: 'fetch-a' },
      { label: 'undo 1', name: 'release' },
      { label: 'step 2', name: 'fetch-b' },
      { label: 'undo 2', name: 'refund' },
    ]);
  });

  it('gives every wrapper its inner primitive, and a timeout its fallback', () => {
    const wrappers: AnyPrimitive[] = [
      retry(fetchA),
      timeout(fetchA, { timeoutMs: 1_000 }),
      circuitBreaker(fetchA),
      cache(fetchA),
      bulkhead(fetchA, { maxConcurrent: 2 }),
      rateLimit(fetchA, { tokensPerInterval: 1, intervalMs: 1_000 }),
      hedge(fetchA, { delayMs: 10 }),
      failFirst(1, fetchA),
    ];
    for (const wrapper of wrappers) expect(childrenOf(wrapper), wrapper.kind).toEqual([{ label: undefined, name: 'fetch-a' }]);
    const lookUp = step('look-up', (keys: string[]) => keys);
    expect(childrenOf(batch(lookUp, { maxBatchSize: 10, maxWaitMs: 5 }))).toEqual([{ label: undefined, name: 'look-up' }]);
    expect(childrenOf(timeout(fetchA, { timeoutMs: 1_000, fallback: fetchB }))).toEqual([
      { label: undefined, name: 'fetch-a' },
      { label: 'fallback', name: 'fetch-b' },
    ]);
  });

  it('gives a collected stream its stream', () => {
    const words = stream((text: string) => text.split(' '), { name: 'words' });
    expect(childrenOf(words.collect())).toEqual([{ label: undefined, name: 'words' }]);
  });

  it('returns the same children on every call (deterministic)', () => {
    const workflow = parallel({ a: fetchA, b: retry(fetchB) });
    expect(childrenOf(workflow)).toEqual(childrenOf(workflow));
    expect(workflow._children()[1]!.primitive._children()[0]!.primitive).toBe(fetchB);
  });
});
