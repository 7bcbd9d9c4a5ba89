// Recovery primitives: retry, fallback, timeout, circuit breaker, compensation.
export { RetryPrimitive, retry, isNonRetryableByDefault } from './retry-primitive.js';
export type { RetryOptions } from './retry-primitive.js';
export { FallbackPrimitive, fallback } from './fallback-primitive.js';
export type { FallbackOptions } from './fallback-primitive.js';
export { TimeoutPrimitive, timeout } from './timeout-primitive.js';
export type { TimeoutOptions } from './timeout-primitive.js';
export { CircuitBreakerPrimitive, circuitBreaker } from './circuit-breaker-primitive.js';
export type { CircuitBreakerOptions } from './circuit-breaker-options.js';
export { InMemoryCircuitStateStore } from './circuit-state-store.js';
export type { CircuitState, CircuitSnapshot, CircuitStateStore, CircuitWindowBucket } from './circuit-state-store.js';
export { CompensationPrimitive, compensation } from './compensation-primitive.js';
export type { CompensationOptions, CompensationStep, UndoInput } from './compensation-primitive.js';

// Errors of the recovery primitives
export { TimeoutError } from '../errors/timeout-error.js';
export { BrokenCircuitError } from '../errors/broken-circuit-error.js';
export { FallbackExhaustedError } from '../errors/fallback-exhausted-error.js';
export { CompensationError } from '../errors/compensation-error.js';

// Usage and budgets
export { BudgetPrimitive, budget } from '../usage/budget-primitive.js';
export type { BudgetOptions } from '../usage/budget-primitive.js';
export type { BudgetLimits } from '../usage/budget-scope.js';
export { BudgetExceededError } from '../errors/budget-exceeded-error.js';
export type { BudgetLimitName } from '../errors/budget-exceeded-error.js';
export type { UsageReport, UsageAmounts, UsageSnapshot } from '../usage/usage-ledger.js';
