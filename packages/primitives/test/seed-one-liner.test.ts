// The seed design's resilient LLM call, spelled in TypeScript:
//   TimeoutPrimitive(RetryPrimitive(FallbackPrimitive(CachePrimitive(gpt4), fallbacks=[gpt35, local_llm])), timeout_seconds=30.0)
import { describe, expect, expectTypeOf, it } from 'vitest';
import { WorkflowContext, cache, fallback, retry, step, timeout, type WorkflowPrimitive } from '@tta/primitives';
import { MockPrimitive } from '@tta/primitives/testing';

describe('the seed one-liner', () => {
  it('composes, type-checks and survives a failing primary model', async () => {
    const gpt4 = new MockPrimitive<string, string>({ sequence: [{ error: new Error('503 from gpt-4') }, { value: 'gpt-4 answer' }] });
    const gpt35 = new MockPrimitive<string, string>({ error: new Error('429 from gpt-3.5') });
    const local = step('local', (prompt: string) => `local answer to ${prompt}`);

    const llm = timeout(retry(fallback(cache(gpt4, { ttlMs: 60_000 }), [gpt35, local]), { maxAttempts: 3, initialDelayMs: 0 }), { timeoutMs: 30_000 });
    expectTypeOf(llm).toMatchTypeOf<WorkflowPrimitive<string, string>>();

    // First call: gpt-4 fails, gpt-3.5 fails, the local model answers.
    await expect(llm.execute(new WorkflowContext(), 'hello')).resolves.toBe('local answer to hello');
    // Second call: gpt-4 answers and its answer is cached.
    await expect(llm.execute(new WorkflowContext(), 'again')).resolves.toBe('gpt-4 answer');
    await expect(llm.execute(new WorkflowContext(), 'again')).resolves.toBe('gpt-4 answer');
    expect(gpt4.callCount).toBe(2);
    expect(gpt35.callCount).toBe(1);
  });

  it('is also the one-liner of the README, in the recommended order (the cache outermost)', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('cache(timeout(retry(fallback(gpt4, [gpt35, local])), { timeoutMs: 30_000 })');
  });
});
