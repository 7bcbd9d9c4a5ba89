import { describe, expect, it } from 'vitest';
import { RedisUnavailableError } from './redis-unavailable-error.js';

describe('RedisUnavailableError', () => {
  it('quotes the client error with a connection password redacted', () => {
    const cause = new Error('connect ECONNREFUSED for redis://default:s3cr3t-pw@cache.internal:6379');
    const error = new RedisUnavailableError('RedisCacheStore.get', { cause });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('cache.internal:6379');
    expect(error.message).not.toContain('s3cr3t-pw');
    expect(error.cause).toBe(cause);
  });
});
