import { describe, expectTypeOf, it } from 'vitest';
import {
  BrokenCircuitError,
  FallbackExhaustedError,
  InvalidInputError,
  TimeoutError,
  TtaError,
  UnkeyableInputError,
  ValidationError,
  type TtaErrorCode,
} from '@tta/primitives';

describe('TtaErrorCode', () => {
  it('types each class code with its literal', () => {
    expectTypeOf(new TimeoutError().code).toEqualTypeOf<'TIMEOUT'>();
    expectTypeOf(new BrokenCircuitError().code).toEqualTypeOf<'CIRCUIT_OPEN'>();
    expectTypeOf(new ValidationError().code).toEqualTypeOf<'VALIDATION_FAILED'>();
    expectTypeOf(new FallbackExhaustedError().code).toEqualTypeOf<'FALLBACK_EXHAUSTED'>();
    expectTypeOf(new UnkeyableInputError().code).toEqualTypeOf<'UNKEYABLE_INPUT'>();
    expectTypeOf(new InvalidInputError('p', 'x').code).toEqualTypeOf<'INVALID_INPUT' | 'UNKEYABLE_INPUT'>();
  });

  it('holds every code of every package, and only those', () => {
    expectTypeOf<'TIMEOUT' | 'AGENT_TIMEOUT' | 'REDIS_UNAVAILABLE' | 'METRICS_SERVER_UNAVAILABLE' | 'UNMATCHED_REQUEST'>().toMatchTypeOf<TtaErrorCode>();
    // @ts-expect-error not a code any package defines
    const unknown: TtaErrorCode = 'TIMED_OUT';
    void unknown;
  });

  it('narrows a switch over the code of a built-in error', () => {
    const code = new TimeoutError().code as TtaErrorCode;
    if (code === 'TIMEOUT') expectTypeOf(code).toEqualTypeOf<'TIMEOUT'>();
  });

  it('has retryable as a readonly boolean on every TtaError', () => {
    expectTypeOf(new TtaError().retryable).toEqualTypeOf<boolean>();
    expectTypeOf(new TimeoutError().retryable).toMatchTypeOf<boolean>();
  });
});
