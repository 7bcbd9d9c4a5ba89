import type { Scenario } from '../harness.js';
import { createCacheScenario } from './cache.js';
import { createCircuitBreakerScenario } from './circuit-breaker.js';
import { createParallelScenario } from './parallel.js';
import { createRetryFailTwiceScenario, createRetrySuccessScenario } from './retry.js';
import { createSequentialScenario } from './sequential.js';
import { createStackScenario } from './stack.js';
import { createTimeoutScenario } from './timeout.js';

export { createObservabilityScenario, startTracing } from './observability.js';
export type { Tracing } from './observability.js';

/** Every timing scenario except observability (which needs tracing started, and runs last). */
export async function createCoreScenarios(): Promise<Scenario[]> {
  return [
    createSequentialScenario(),
    createParallelScenario(),
    createRetrySuccessScenario(),
    createRetryFailTwiceScenario(),
    createTimeoutScenario(),
    createCircuitBreakerScenario(),
    await createCacheScenario(),
    createStackScenario(),
  ];
}
