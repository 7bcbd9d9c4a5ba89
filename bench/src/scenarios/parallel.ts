import { Effect } from 'effect';
import { RunnableLambda, RunnableMap } from '@langchain/core/runnables';
import { metrics, ParallelPrimitive, step, WorkflowContext, type AnyPrimitive } from '@tta/primitives';
import type { Scenario } from '../harness.js';
import { increment, width } from '../steps.js';

/** `width` branches of `increment` on the same input: every variant resolves to `width` ones. */
export function createParallelScenario(): Scenario {
  const functions = Array.from({ length: width }, () => increment);
  const rawFanOut = (input: number): Promise<number[]> => {
    const promises = new Array<Promise<number>>(width);
    for (let index = 0; index < width; index++) promises[index] = functions[index]!(input);
    return Promise.all(promises);
  };

  const branches: AnyPrimitive[] = Array.from({ length: width }, (_, index) => step(`parallel-branch-${index + 1}`, increment));
  const fanOut = new ParallelPrimitive(branches, { name: 'parallel-fan-out' });
  const context = new WorkflowContext({ correlationId: 'bench' });

  const effectFanOut = (input: number) => Effect.all(functions.map((fn) => Effect.promise(() => fn(input))), { concurrency: 'unbounded' });

  const keys = Array.from({ length: width }, (_, index) => `branch${index + 1}`);
  const langchain = RunnableMap.from(Object.fromEntries(keys.map((key) => [key, RunnableLambda.from(increment)])));

  const expected = Array.from({ length: width }, () => 1);
  return {
    id: 'parallel',
    title: `Parallel fan-out of ${width} trivial async branches`,
    steps: width,
    expected,
    variants: [
      { label: 'raw Promise.all', role: 'raw', run: () => rawFanOut(0) },
      {
        label: '@tta/primitives, metrics off',
        role: 'tta',
        run: () => fanOut.execute(context, 0),
        before: () => metrics.configure({ enabled: false }),
        after: () => metrics.configure({ enabled: true }),
      },
      { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => fanOut.execute(context, 0) },
      { label: 'effect 4 (Effect.all, unbounded)', role: 'peer', run: () => Effect.runPromise(effectFanOut(0)) },
      {
        label: '@langchain/core RunnableMap',
        role: 'peer',
        run: () => langchain.invoke(0),
        expected: Object.fromEntries(keys.map((key) => [key, 1])),
      },
    ],
    missing: ['cockatiel, p-retry, p-timeout: no fan-out'],
  };
}
