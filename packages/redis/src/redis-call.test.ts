import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '@tta/primitives';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { HandoffLockLostError } from './errors/handoff-lock-lost-error.js';
import { toRedisError } from './redis-call.js';

const replyError = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });

describe('toRedisError', () => {
  it('keeps connection failures and transient replies retryable as RedisUnavailableError', () => {
    for (const cause of [new Error('Command timed out'), new Error('Connection is closed.'), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), replyError('BUSY Redis is busy running a script')]) {
      const mapped = toRedisError(cause, 'op');
      expect(RedisUnavailableError.isInstance(mapped), cause.message).toBe(true);
      expect((mapped as RedisUnavailableError).retryable).toBe(true);
    }
  });

  it('turns errors caused by the input into InvalidInputError, not retryable', () => {
    let bigint: unknown;
    try {
      JSON.stringify({ n: 1n });
    } catch (error) {
      bigint = error;
    }
    let surrogate: unknown;
    try {
      encodeURIComponent('\ud800');
    } catch (error) {
      surrogate = error;
    }
    for (const cause of [bigint, surrogate, new Error('Custom Id cannot be integers'), new Error('Priority should be between 0 and 2097151')]) {
      const mapped = toRedisError(cause, 'enqueueWorkflow');
      expect(InvalidInputError.isInstance(mapped), String(cause)).toBe(true);
      expect((mapped as InvalidInputError).retryable).toBe(false);
      expect((mapped as Error).message).toContain('enqueueWorkflow: ');
    }
  });

  it('passes the toolkit’s own refusals and genuine server error replies through unchanged', () => {
    const lost = new HandoffLockLostError('t', 'a');
    expect(toRedisError(lost, 'op')).toBe(lost);
    const wrongType = replyError('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(toRedisError(wrongType, 'op')).toBe(wrongType);
  });
});
