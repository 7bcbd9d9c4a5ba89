import { describe, expect, it } from 'vitest';
import {
  BrokenCircuitError,
  BudgetExceededError,
  BulkheadRejectedError,
  CompensationError,
  DeadlineExceededError,
  FallbackExhaustedError,
  FilterRejectedError,
  InvalidInputError,
  InvalidOptionsError,
  RateLimitExceededError,
  RouteNotFoundError,
  TimeoutError,
  TtaError,
  UnkeyableInputError,
  ValidationError,
} from '@tta/primitives';
import { InjectedFaultError } from '@tta/primitives/testing';
import { isNonRetryableByDefault } from '../recovery/retry-primitive.js';

const cause = new Error('root cause');

// Each error built the one way every error class is built: the facts its message is made of, then
// an options object with `cause`. Expected: its code, whether retrying may help, and its message.
const cases: ReadonlyArray<readonly [string, TtaError | FallbackExhaustedError, string, boolean, string]> = [
  ['TtaError', new TtaError(undefined, undefined, { cause }), 'TTA_ERROR', false, 'A toolkit operation failed'],
  ['BrokenCircuitError', new BrokenCircuitError('llm', 500, { cause }), 'CIRCUIT_OPEN', false, 'Circuit "llm" is open; retry after 500 ms'],
  ['BudgetExceededError', new BudgetExceededError('budget(answer)', 'maxCalls', 3, 3, { cause }), 'BUDGET_EXCEEDED', false, 'Budget "budget(answer)" reached its maxCalls of 3 (spent 3)'],
  ['BulkheadRejectedError', new BulkheadRejectedError('db', 2, 3, { cause }), 'BULKHEAD_REJECTED', false, 'Bulkhead "db" is full (2 running, 3 queued)'],
  ['CompensationError', new CompensationError(cause, [], { cause }), 'COMPENSATION_FAILED', true, ''],
  ['DeadlineExceededError', new DeadlineExceededError(undefined, { cause }), 'DEADLINE_EXCEEDED', false, ''],
  ['FallbackExhaustedError', new FallbackExhaustedError([cause], { cause }), 'FALLBACK_EXHAUSTED', true, 'All 1 alternatives failed (primary and 0 fallback(s))'],
  ['FilterRejectedError', new FilterRejectedError('f', 1, undefined, { cause }), 'FILTER_REJECTED', false, 'Filter "f" rejected item 1'],
  ['InjectedFaultError', new InjectedFaultError(2, { cause }), 'INJECTED_FAULT', true, 'Injected fault on call 2'],
  ['InvalidInputError', new InvalidInputError('filter', 'input must be an array', { cause }), 'INVALID_INPUT', false, 'filter: input must be an array'],
  ['InvalidOptionsError', new InvalidOptionsError('retry', 'maxAttempts', 'must be >= 1', { cause }), 'INVALID_OPTIONS', false, 'retry: option "maxAttempts" must be >= 1'],
  ['RateLimitExceededError', new RateLimitExceededError('api', 'k', 100, { cause }), 'RATE_LIMITED', true, ''],
  ['RouteNotFoundError', new RouteNotFoundError('x', ['a'], { cause }), 'ROUTE_NOT_FOUND', false, 'No route "x" (available: a) and no defaultRoute'],
  ['TimeoutError', new TimeoutError(50, { cause }), 'TIMEOUT', true, 'The operation timed out after 50 ms'],
  ['UnkeyableInputError', new UnkeyableInputError('cache', 'input.a', 'a function', { cause }), 'UNKEYABLE_INPUT', false, 'cache: cannot make a key from input.a: a function; give the cache a `key` function'],
  ['ValidationError', new ValidationError([], undefined, { cause }), 'VALIDATION_FAILED', false, ''],
];

describe('every error of @tta/primitives', () => {
  it.each(cases)('%s has its code, its retryable flag, its message and the cause from the options', (_, error, code, retryable, message) => {
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    if (message !== '') expect(error.message).toBe(message);
    expect(error.cause).toBe(cause);
    expect(TtaError.isInstance(error)).toBe(true);
  });

  it.each(cases)('retry leaves %s alone exactly when it is not retryable', (_, error, _code, retryable) => {
    expect(isNonRetryableByDefault(error)).toBe(!retryable);
  });

  it('a TtaError is not retryable unless its class says so', () => {
    expect(new TtaError('custom failure', 'MY_CODE').retryable).toBe(false);
    class TransientError extends TtaError {
      override readonly retryable = true;
    }
    expect(isNonRetryableByDefault(new TransientError())).toBe(false);
    expect(isNonRetryableByDefault(new TtaError())).toBe(true);
  });

  it('an error from outside the toolkit is retried unless it says retryable: false', () => {
    expect(isNonRetryableByDefault(new Error('network'))).toBe(false);
    expect(isNonRetryableByDefault(Object.assign(new Error('bad request'), { retryable: false }))).toBe(true);
  });
});
