import { Effect } from 'effect';
import { RunnableLambda } from '@langchain/core/runnables';
import { TimeoutStrategy, timeout as cockatielTimeout } from 'cockatiel';
import pTimeout from 'p-timeout';
import { metrics, step, timeout, WorkflowContext } from '@tta/primitives';
import type { Scenario } from '../harness.js';
import { increment } from '../steps.js';

const timeoutMs = 1_000;
const noop = (): void => {};

/** The floor to beat: one timer armed and cleared per call. */
async function timerPair(input: number): Promise<number> {
  const timer = setTimeout(noop, timeoutMs);
  try {
    return await increment(input);
  } finally {
    clearTimeout(timer);
  }
}

/** A time limit around a step that resolves at once. */
export function createTimeoutScenario(): Scenario {
  const ours = timeout(step('timeout-step', increment), { name: 'timeout', timeoutMs });
  const context = new WorkflowContext({ correlationId: 'bench' });
  const cockatiel = cockatielTimeout(timeoutMs, TimeoutStrategy.Cooperative);
  const langchain = RunnableLambda.from(increment);
  return {
    id: 'timeout',
    title: 'Timeout wrapper around a step that resolves at once',
    steps: 1,
    expected: 1,
    variants: [
      { label: 'raw await (no timeout)', role: 'raw', run: () => increment(0) },
      { label: 'setTimeout + clearTimeout pair', role: 'baseline', run: () => timerPair(0) },
      {
        label: '@tta/primitives, metrics off',
        role: 'tta',
        run: () => ours.execute(context, 0),
        before: () => metrics.configure({ enabled: false }),
        after: () => metrics.configure({ enabled: true }),
      },
      { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => ours.execute(context, 0) },
      { label: 'cockatiel timeout (cooperative)', role: 'peer', run: () => cockatiel.execute(() => increment(0)) },
      { label: 'p-timeout', role: 'peer', run: () => pTimeout(increment(0), { milliseconds: timeoutMs }) },
      { label: 'effect 4 (Effect.timeout)', role: 'peer', run: () => Effect.runPromise(Effect.timeout(Effect.promise(() => increment(0)), timeoutMs)) },
      {
        label: '@langchain/core invoke({ timeout })',
        role: 'peer',
        run: () => langchain.invoke(0, { timeout: timeoutMs }),
        // `invoke({ timeout })` arms an `AbortSignal.timeout` per call that is never cleared.
        leavesTimersMs: timeoutMs,
      },
    ],
  };
}
