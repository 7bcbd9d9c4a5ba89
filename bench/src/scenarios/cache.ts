import { Cache, Effect } from 'effect';
import { cache, metrics, step, WorkflowContext } from '@tta/primitives';
import type { Scenario } from '../harness.js';
import { increment } from '../steps.js';

/** A cache in front of a step, always hitting the same key. */
export async function createCacheScenario(): Promise<Scenario> {
  const ours = cache(step('cache-step', increment), { name: 'cache', key: (input: number) => `k${input}`, ttlMs: 3_600_000, maxEntries: 1_000 });
  const context = new WorkflowContext({ correlationId: 'bench' });
  await ours.execute(context, 0);

  const map = new Map<string, number>();
  const handWritten = async (input: number): Promise<number> => {
    const key = `k${input}`;
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    const value = await increment(input);
    map.set(key, value);
    return value;
  };
  await handWritten(0);

  const effectCache = await Effect.runPromise(Cache.make({ lookup: (key: number) => Effect.promise(() => increment(key)), capacity: 1_000, timeToLive: '1 hour' }));
  await Effect.runPromise(Cache.get(effectCache, 0));

  return {
    id: 'cache-hit',
    title: 'Cache hit path (same key every call)',
    steps: 1,
    expected: 1,
    variants: [
      { label: 'raw await (no cache)', role: 'raw', run: () => increment(0) },
      { label: 'hand-written Map lookup', role: 'baseline', run: () => handWritten(0) },
      {
        label: '@tta/primitives, metrics off',
        role: 'tta',
        run: () => ours.execute(context, 0),
        before: () => metrics.configure({ enabled: false }),
        after: () => metrics.configure({ enabled: true }),
      },
      { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => ours.execute(context, 0) },
      { label: 'effect 4 (Cache.get)', role: 'peer', run: () => Effect.runPromise(Cache.get(effectCache, 0)) },
    ],
    missing: ['cockatiel, p-retry: no cache; @langchain/core caches model calls only, not runnables'],
  };
}
