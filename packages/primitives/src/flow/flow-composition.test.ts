import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { WorkflowContext, cache, fallback, retry, timeout, bulkhead, rateLimit, validate, hedge, step, type WorkflowPrimitive } from '@tta/primitives';
import { ManualClock, MockPrimitive, failFirst } from '@tta/primitives/testing';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

describe('flow primitives in compositions', () => {
  it("composes the seed's one-liner timeout(retry(fallback(cache(gpt4), [gpt35, local]))) and caches only gpt4's successes", async () => {
    const clock = new ManualClock();
    const gpt4Model = new MockPrimitive<string, string>({ implementation: (prompt) => `gpt4: ${prompt}` });
    const gpt4 = failFirst(1, gpt4Model);
    const gpt35 = new MockPrimitive<string, string>({ implementation: (prompt) => `gpt35: ${prompt}` });
    const local = new MockPrimitive<string, string>({ implementation: (prompt) => `local: ${prompt}` });
    const cachedGpt4 = cache(gpt4, { ttlMs: 60_000, maxEntries: 100, clock });

    const workflow = timeout(retry(fallback(cachedGpt4, [gpt35, local]), { maxAttempts: 3, clock }), { timeoutMs: 30_000, clock });
    expectTypeOf(workflow).toExtend<WorkflowPrimitive<string, string>>();

    const context = new WorkflowContext({ clock });
    expect(await workflow.execute(context, 'hi')).toBe('gpt35: hi'); // gpt4 failed: not cached, fallback answered
    expect(await workflow.execute(context, 'hi')).toBe('gpt4: hi'); // miss, gpt4 answers and is cached
    expect(await workflow.execute(context, 'hi')).toBe('gpt4: hi'); // hit
    expect(gpt4Model.callCount).toBe(1);
    expect(gpt35.callCount).toBe(1);
    expect(local.callCount).toBe(0);
    expect(cachedGpt4.stats()).toMatchObject({ hits: 1, misses: 2 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at compile time a composition whose types do not line up', () => {
    const numbers = step('numbers', (input: number) => input * 2);
    const strings = step('strings', (input: string) => input);
    // @ts-expect-error a number primitive cannot fall back to a string primitive
    fallback(cache(numbers), [strings]);
    // @ts-expect-error validate's output (a string) does not fit a number step
    validate(z.string()).pipe(numbers);
    expectTypeOf(hedge(bulkhead(rateLimit(cache(strings), { tokensPerInterval: 1, intervalMs: 1 }), { maxConcurrent: 1 }), { delayMs: 1 })).toExtend<
      WorkflowPrimitive<string, string>
    >();
  });
});
