import { Cache, Effect } from 'effect';
import { ConstantBackoff, fallback as cockatielFallback, handleAll, retry as cockatielRetry, TimeoutStrategy, timeout as cockatielTimeout, wrap } from 'cockatiel';
import { cache, fallback, metrics, retry, step, timeout, WorkflowContext } from '@tta/primitives';
import type { Scenario } from '../harness.js';

const answer = 'gpt4 answer';
const gpt4 = async (_prompt: number): Promise<string> => answer;
const gpt35 = async (_prompt: number): Promise<string> => 'gpt35 answer';
const local = async (_prompt: number): Promise<string> => 'local answer';
const timeoutMs = 30_000;
const maxEntries = 100;
const noop = (): void => {};

/**
 * The seed's one-liner, `timeout(retry(fallback(cache(gpt4), [gpt35, local])))`, on the success
 * path: every call has a new prompt, so it passes every layer (cache miss, primary succeeds, first
 * attempt, no timeout) and the cache evicts one entry per call once full.
 */
export function createStackScenario(): Scenario {
  let prompt = 0;
  const ours = timeout(
    retry(fallback(cache(step('gpt4', gpt4), { key: (input: number) => `p${input}`, maxEntries }), [step('gpt35', gpt35), step('local', local)]), {
      maxAttempts: 3,
      initialDelayMs: 0,
      jitter: 'none',
    }),
    { timeoutMs },
  );
  const context = new WorkflowContext({ correlationId: 'bench' });

  // Hand-written: a bounded Map, a retry loop, a fallback chain and a timer pair.
  const map = new Map<string, string>();
  const cachedGpt4 = async (input: number): Promise<string> => {
    const key = `p${input}`;
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    const value = await gpt4(input);
    if (map.size >= maxEntries) map.delete(map.keys().next().value!);
    map.set(key, value);
    return value;
  };
  const withFallbacks = async (input: number): Promise<string> => {
    try {
      return await cachedGpt4(input);
    } catch {
      try {
        return await gpt35(input);
      } catch {
        return await local(input);
      }
    }
  };
  const handWritten = async (input: number): Promise<string> => {
    const timer = setTimeout(noop, timeoutMs);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withFallbacks(input);
        } catch (error) {
          if (attempt >= 3) throw error;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  };

  const cockatielMap = new Map<string, string>();
  const cockatielCached = async (input: number): Promise<string> => {
    const key = `p${input}`;
    const hit = cockatielMap.get(key);
    if (hit !== undefined) return hit;
    const value = await gpt4(input);
    if (cockatielMap.size >= maxEntries) cockatielMap.delete(cockatielMap.keys().next().value!);
    cockatielMap.set(key, value);
    return value;
  };
  const cockatielFallbacks = wrap(cockatielFallback(handleAll, () => gpt35(0)));
  const cockatielPolicy = wrap(
    cockatielTimeout(timeoutMs, TimeoutStrategy.Cooperative),
    cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ConstantBackoff(0) }),
  );

  const effectCache = Effect.runSync(Cache.make({ lookup: (key: number) => Effect.promise(() => gpt4(key)), capacity: maxEntries }));
  const effectProgram = (input: number) =>
    Effect.timeout(
      Effect.retry(
        Effect.catch(Cache.get(effectCache, input), () => Effect.catch(Effect.tryPromise(() => gpt35(input)), () => Effect.promise(() => local(input)))),
        { times: 2 },
      ),
      timeoutMs,
    );

  return {
    id: 'stack',
    title: "The seed's one-liner timeout(retry(fallback(cache(gpt4), [gpt35, local]))), success path (cache miss)",
    steps: 4,
    expected: answer,
    variants: [
      { label: 'raw await (bare gpt4 step)', role: 'raw', run: () => gpt4(prompt++) },
      { label: 'hand-written (Map, loop, try/catch, timer pair)', role: 'baseline', run: () => handWritten(prompt++) },
      {
        label: '@tta/primitives, metrics off',
        role: 'tta',
        run: () => ours.execute(context, prompt++),
        before: () => metrics.configure({ enabled: false }),
        after: () => metrics.configure({ enabled: true }),
      },
      { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => ours.execute(context, prompt++) },
      {
        label: 'cockatiel wrap(timeout, retry) + fallback, Map cache',
        role: 'peer',
        run: () => cockatielPolicy.execute(() => cockatielFallbacks.execute(() => cockatielCached(prompt++))),
      },
      { label: 'effect 4 (timeout, retry, catch, Cache)', role: 'peer', run: () => Effect.runPromise(effectProgram(prompt++)) },
    ],
    missing: ['@langchain/core: no cache for runnables'],
  };
}
