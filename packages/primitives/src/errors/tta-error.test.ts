import { describe, expect, it } from 'vitest';
import { TtaError, ttaErrorMarker } from './tta-error.js';
import { TimeoutError } from './timeout-error.js';
import { FallbackExhaustedError } from './fallback-exhausted-error.js';

describe('TtaError', () => {
  it('instanceof TtaError checks the brand, so it holds for a copy from another install', () => {
    const copy = Object.assign(new Error('from another copy'), { [ttaErrorMarker]: true, code: 'X' });
    expect(copy instanceof TtaError).toBe(true);
    expect(new Error('plain') instanceof TtaError).toBe(false);
    expect((null as unknown as object) instanceof TtaError).toBe(false);
  });

  it('instanceof a subclass keeps the prototype check', () => {
    expect(new TimeoutError(1) instanceof TimeoutError).toBe(true);
    expect(new TtaError('m', 'C') instanceof TimeoutError).toBe(false);
  });

  it('isInstance and instanceof answer false for revoked proxies and proxies with throwing traps', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const throwing = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    for (const value of [revoked.proxy, throwing]) {
      expect(TtaError.isInstance(value)).toBe(false);
      expect(value instanceof TtaError).toBe(false);
      expect(value instanceof TimeoutError).toBe(false);
      expect(TimeoutError.isInstance(value)).toBe(false);
    }
  });

  it('has a default message and code', () => {
    const error = new TtaError();
    expect(error.message).toBe('A toolkit operation failed');
    expect(error.code).toBe('TTA_ERROR');
  });
});

describe('FallbackExhaustedError', () => {
  it('is an AggregateError and a TtaError, with every failure in order and the last one as cause', () => {
    const failures = [new Error('a'), 'b', new Error('c')];
    const error = new FallbackExhaustedError(failures);
    expect(error).toBeInstanceOf(AggregateError);
    expect(error).toBeInstanceOf(TtaError);
    expect(TtaError.isInstance(error)).toBe(true);
    expect(error.errors).toEqual(failures);
    expect(error.errors).not.toBe(failures);
    expect(error.cause).toBe(failures[2]);
    expect(error.code).toBe('FALLBACK_EXHAUSTED');
    expect(error.name).toBe('FallbackExhaustedError');
    expect(error.message).toBe('All 3 alternatives failed (primary and 2 fallback(s))');
  });

  it('takes an explicit cause, and has a default message with no failures', () => {
    const cause = new Error('root');
    expect(new FallbackExhaustedError([new Error('x')], { cause }).cause).toBe(cause);
    expect(new FallbackExhaustedError().message).toBe('Every alternative failed');
  });
});
