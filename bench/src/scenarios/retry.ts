import { Effect } from 'effect';
import { RunnableLambda } from '@langchain/core/runnables';
import { ConstantBackoff, handleAll, retry as cockatielRetry } from 'cockatiel';
import pRetry from 'p-retry';
import { metrics, retry, step, WorkflowContext } from '@tta/primitives';
import type { Scenario } from '../harness.js';
import { flakyIncrement, increment } from '../steps.js';

const maxAttempts = 3;

/** The hand-written baseline: a try/catch loop with no delay. */
async function retryLoop(fn: (value: number) => Promise<number>, input: number): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(input);
    } catch (error) {
      if (attempt >= maxAttempts) throw error;
    }
  }
}

const metricsOff = (): void => metrics.configure({ enabled: false });
const metricsOn = (): void => metrics.configure({ enabled: true });

function variantsFor(fn: (value: number) => Promise<number>, name: string): Scenario['variants'] {
  const ours = retry(step(`${name}-step`, fn), { name, maxAttempts, initialDelayMs: 0, backoff: 'constant', jitter: 'none' });
  const context = new WorkflowContext({ correlationId: 'bench' });
  const cockatiel = cockatielRetry(handleAll, { maxAttempts: maxAttempts - 1, backoff: new ConstantBackoff(0) });
  const effect = (input: number) => Effect.retry(Effect.tryPromise(() => fn(input)), { times: maxAttempts - 1 });
  return [
    { label: 'hand-written try/catch loop', role: 'baseline', run: () => retryLoop(fn, 0) },
    { label: '@tta/primitives, metrics off', role: 'tta', run: () => ours.execute(context, 0), before: metricsOff, after: metricsOn },
    { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => ours.execute(context, 0) },
    { label: 'cockatiel retry (ConstantBackoff(0))', role: 'peer', run: () => cockatiel.execute(() => fn(0)) },
    { label: 'p-retry (minTimeout 0)', role: 'peer', run: () => pRetry(() => fn(0), { retries: maxAttempts - 1, minTimeout: 0, maxTimeout: 0, randomize: false }) },
    { label: 'effect 4 (Effect.retry times)', role: 'peer', run: () => Effect.runPromise(effect(0)) },
  ];
}

/** Retry around a step that succeeds at once. */
export function createRetrySuccessScenario(): Scenario {
  const langchain = RunnableLambda.from(increment).withRetry({ stopAfterAttempt: maxAttempts });
  return {
    id: 'retry-success',
    title: 'Retry, the step succeeds the first time',
    steps: 1,
    expected: 1,
    variants: [
      { label: 'raw await (no retry)', role: 'raw', run: () => increment(0) },
      ...variantsFor(increment, 'retry-success'),
      { label: '@langchain/core withRetry', role: 'peer', run: () => langchain.invoke(0) },
    ],
  };
}

/** Retry around a step that fails twice, then succeeds; no delay between attempts. */
export function createRetryFailTwiceScenario(): Scenario {
  const flaky = flakyIncrement();
  return {
    id: 'retry-fail-twice',
    title: 'Retry, the step fails twice then succeeds (zero-delay backoff)',
    steps: 3,
    expected: 1,
    variants: [
      { label: 'raw: three awaits, two caught', role: 'raw', run: () => retryLoop(flaky, 0) },
      ...variantsFor(flaky, 'retry-fail-twice').slice(1),
    ],
    missing: ['@langchain/core withRetry: waits a randomised 1 s or more between attempts (no zero-delay option)'],
  };
}
