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

describe('RedisUnavailableError.maybeApplied', () => {
  it('says a call that got no answer may have been applied, and names the id to retry with', () => {
    const error = new RedisUnavailableError('enqueueWorkflow', { cause: new Error('Command timed out'), retryKey: 'job-1' });
    expect(error.maybeApplied).toBe(true);
    expect(error.retryKey).toBe('job-1');
    expect(new RedisUnavailableError('RedisMailbox.send').maybeApplied).toBe(true);
  });

  it('says a command the server refused with a reply (BUSY, LOADING) was not applied', () => {
    const busy = Object.assign(new Error('BUSY Redis is busy running a script'), { name: 'ReplyError' });
    const error = new RedisUnavailableError('RedisMailbox.receive', { cause: busy });
    expect(error.maybeApplied).toBe(false);
    expect(error.retryKey).toBeUndefined();
  });
});
