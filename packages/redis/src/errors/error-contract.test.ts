import { describe, expect, it } from 'vitest';
import { isNonRetryableByDefault, type TtaError, type TtaErrorCode } from '@tta/primitives';
import { HandoffLockLostError } from './handoff-lock-lost-error.js';
import { LeaseLostError } from './lease-lost-error.js';
import { LeaseTimeoutError } from './lease-timeout-error.js';
import { RedisUnavailableError } from './redis-unavailable-error.js';

const cause = new Error('root cause');

describe('redis errors: code, retryable and the options object', () => {
  it.each([
    ['HandoffLockLostError', new HandoffLockLostError('t1', 'coder', { cause }), 'HANDOFF_LOCK_LOST', false],
    ['LeaseLostError', new LeaseLostError('jobs', { cause }), 'LEASE_LOST', true],
    ['LeaseTimeoutError', new LeaseTimeoutError('jobs', 50, { cause }), 'LEASE_TIMEOUT', true],
    ['RedisUnavailableError', new RedisUnavailableError('RedisCacheStore.get', { cause }), 'REDIS_UNAVAILABLE', true],
  ] as const)('%s', (_, error: TtaError<TtaErrorCode>, code, retryable) => {
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(isNonRetryableByDefault(error)).toBe(!retryable);
    expect(error.cause).toBe(cause);
  });

  it('keeps the messages', () => {
    expect(new LeaseTimeoutError('jobs', 50).message).toBe('Lease "jobs" is held by someone else; gave up after 50 ms');
    expect(new LeaseLostError('jobs').message).toBe('Lease "jobs" was lost before the work finished');
  });
});
