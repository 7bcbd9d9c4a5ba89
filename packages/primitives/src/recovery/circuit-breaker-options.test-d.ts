import { describe, expectTypeOf, it } from 'vitest';
import { CircuitBreakerPrimitive, circuitBreaker } from './circuit-breaker-primitive.js';
import type { CircuitBreakerOptions } from './circuit-breaker-options.js';
import { LambdaPrimitive } from '../composition/lambda-primitive.js';

const call = new LambdaPrimitive(async (prompt: string) => prompt.length);

describe('CircuitBreakerOptions', () => {
  it('accepts the count mode, the ratio mode and the defaults', () => {
    expectTypeOf(circuitBreaker(call, { failureThreshold: 3, breakDurationMs: 1_000 })).toEqualTypeOf<CircuitBreakerPrimitive<string, number>>();
    expectTypeOf(circuitBreaker(call, { failureRatio: 0.5, minimumThroughput: 20, windowMs: 10_000 })).toEqualTypeOf<CircuitBreakerPrimitive<string, number>>();
    expectTypeOf(circuitBreaker(call, { failureRatio: 0.5 })).toEqualTypeOf<CircuitBreakerPrimitive<string, number>>();
    expectTypeOf(new CircuitBreakerPrimitive(call)).toEqualTypeOf<CircuitBreakerPrimitive<string, number>>();
    expectTypeOf(new CircuitBreakerPrimitive(call, { halfOpenMaxCalls: 2, key: 'llm' })).toEqualTypeOf<CircuitBreakerPrimitive<string, number>>();
  });

  it('does not compile when the count and ratio modes are mixed', () => {
    // @ts-expect-error failureThreshold (count mode) with failureRatio (ratio mode)
    circuitBreaker(call, { failureThreshold: 3, failureRatio: 0.5 });
    // @ts-expect-error minimumThroughput belongs to the ratio mode
    circuitBreaker(call, { failureThreshold: 3, minimumThroughput: 10 });
    // @ts-expect-error windowMs belongs to the ratio mode
    new CircuitBreakerPrimitive(call, { failureThreshold: 3, windowMs: 60_000 });
    // @ts-expect-error a ratio-mode field without failureRatio is the count mode mixed with the ratio mode
    new CircuitBreakerPrimitive(call, { minimumThroughput: 10 });
  });

  it('narrows on the mode a caller chose', () => {
    const options: CircuitBreakerOptions = { failureRatio: 0.25, windowMs: 5_000 };
    if (options.failureRatio !== undefined) expectTypeOf(options.failureThreshold).toEqualTypeOf<undefined>();
  });
});
