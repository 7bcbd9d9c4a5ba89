import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import { circuitBreaker, metrics, step, WorkflowContext } from '@tta/primitives';
import type { Scenario } from '../harness.js';
import { increment } from '../steps.js';

/** A closed circuit breaker around a step that succeeds: the path every healthy call takes. */
export function createCircuitBreakerScenario(): Scenario {
  const ours = circuitBreaker(step('breaker-step', increment), { name: 'breaker', failureThreshold: 5, breakDurationMs: 10_000 });
  const context = new WorkflowContext({ correlationId: 'bench' });
  const cockatiel = cockatielBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  // Hand-written: a failure counter checked before and reset after each call.
  let consecutiveFailures = 0;
  const handWritten = async (input: number): Promise<number> => {
    if (consecutiveFailures >= 5) throw new Error('open');
    try {
      const value = await increment(input);
      consecutiveFailures = 0;
      return value;
    } catch (error) {
      consecutiveFailures++;
      throw error;
    }
  };
  return {
    id: 'circuit-breaker',
    title: 'Circuit breaker, closed path (the step succeeds)',
    steps: 1,
    expected: 1,
    variants: [
      { label: 'raw await (no breaker)', role: 'raw', run: () => increment(0) },
      { label: 'hand-written failure counter', role: 'baseline', run: () => handWritten(0) },
      {
        label: '@tta/primitives, metrics off',
        role: 'tta',
        run: () => ours.execute(context, 0),
        before: () => metrics.configure({ enabled: false }),
        after: () => metrics.configure({ enabled: true }),
      },
      { label: '@tta/primitives, metrics on (default)', role: 'tta', run: () => ours.execute(context, 0) },
      { label: 'cockatiel circuitBreaker (consecutive)', role: 'peer', run: () => cockatiel.execute(() => increment(0)) },
    ],
    missing: ['effect 4, @langchain/core, p-retry: no circuit breaker'],
  };
}
