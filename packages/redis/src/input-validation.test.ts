import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { InvalidInputError } from '@tta/primitives';
import { RedisAgentMemory } from './redis-agent-memory.js';
import { RedisLease } from './redis-lease.js';
import { RedisMailbox } from './redis-mailbox.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { RedisSharedState } from './redis-shared-state.js';

// Every check here fails before any command is sent: the client never connects.
const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
afterAll(() => client.disconnect());

/** Awaits `run` and asserts it rejects with an InvalidInputError from `primitive` with exactly `message`. */
async function expectInputError(run: () => Promise<unknown>, primitive: string, message: string): Promise<void> {
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidInputError);
  expect(InvalidInputError.isInstance(thrown)).toBe(true);
  const error = thrown as InvalidInputError;
  expect(error.primitive).toBe(primitive);
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.retryable).toBe(false);
  expect(error.message).toBe(message);
}

const nullPrototype = Object.create(null) as never;
const address = { scope: 'workflow', scopeId: 'r1', key: 'k' } as const;

describe('call-time input validation (no server needed)', () => {
  it('RedisRateLimiter.acquire refuses permits below 1, describing values String() cannot print', async () => {
    const limiter = new RedisRateLimiter({ connection: client, tokensPerInterval: 5, intervalMs: 1_000 });
    await expectInputError(() => limiter.acquire('k', 0), 'RedisRateLimiter.acquire', 'RedisRateLimiter.acquire: permits must be a finite number >= 1 (got 0)');
    await expectInputError(() => limiter.acquire('k', nullPrototype), 'RedisRateLimiter.acquire', 'RedisRateLimiter.acquire: permits must be a finite number >= 1 (got an object)');
    await limiter.close();
  });

  it('RedisSharedState refuses bad versions, TTLs, values, listeners and options', async () => {
    const state = new RedisSharedState({ connection: client });
    await expectInputError(
      () => state.compareAndSet(address, -1, 'v'),
      'RedisSharedState.compareAndSet',
      'RedisSharedState.compareAndSet: expectedVersion must be an integer >= 0 (got -1)',
    );
    await expectInputError(
      () => state.compareAndSet(address, nullPrototype, 'v'),
      'RedisSharedState.compareAndSet',
      'RedisSharedState.compareAndSet: expectedVersion must be an integer >= 0 (got an object)',
    );
    await expectInputError(() => state.set(address, 'v', { ttlMs: 0 }), 'RedisSharedState.set', 'RedisSharedState.set: ttlMs must be a finite number > 0 (got 0)');
    await expectInputError(
      () => state.set(address, 'v', { ttlMs: 1e300 }),
      'RedisSharedState.set',
      `RedisSharedState.set: ttlMs must be at most ${Number.MAX_SAFE_INTEGER} (got 1e+300)`,
    );
    await expectInputError(
      () => state.compareAndSet(address, 0, 'v', { ttlMs: nullPrototype }),
      'RedisSharedState.compareAndSet',
      'RedisSharedState.compareAndSet: ttlMs must be a finite number > 0 (got an object)',
    );
    await expectInputError(
      () => state.set(address, () => 1),
      'RedisSharedState.set',
      'RedisSharedState.set: the value of "workflow:r1:k" cannot be stored as JSON (got a function)',
    );
    await expectInputError(() => state.set(address, 'v', null as never), 'RedisSharedState.set', 'RedisSharedState.set: options must be an object when given (got null)');
    await expectInputError(
      () => state.subscribe({}, 'nope' as never),
      'RedisSharedState.subscribe',
      'RedisSharedState.subscribe: listener must be a function (got "nope")',
    );
    await state.close();
  });

  it('RedisAgentMemory refuses a missing agent id, a bad limit and a null query', async () => {
    const memory = new RedisAgentMemory({ connection: client });
    await expectInputError(
      () => memory.store({ agentId: '', content: 'x' }),
      'RedisAgentMemory.store',
      'RedisAgentMemory.store: agentId must be a non-empty string (got "")',
    );
    await expectInputError(() => memory.store(null as never), 'RedisAgentMemory.store', 'RedisAgentMemory.store: draft must be an object (got null)');
    await expectInputError(
      () => memory.query({ limit: -1 }),
      'RedisAgentMemory.query',
      'RedisAgentMemory.query: limit must be an integer >= 0 or Infinity (got -1)',
    );
    await expectInputError(() => memory.query(null as never), 'RedisAgentMemory.query', 'RedisAgentMemory.query: query must be an object when given (got null)');
    await memory.close();
  });

  it('RedisMailbox refuses bad recipients, types, limits, listeners and options', async () => {
    const mailbox = new RedisMailbox({ connection: client });
    await expectInputError(
      () => mailbox.send({ to: '', type: 't', from: 'a', payload: 1 }),
      'RedisMailbox.send',
      'RedisMailbox.send: "to" must be a non-empty agent id (got "")',
    );
    await expectInputError(
      () => mailbox.publish({ type: 7 as never, from: 'a', payload: 1 }),
      'RedisMailbox.publish',
      'RedisMailbox.publish: "type" must be a non-empty string (got 7)',
    );
    await expectInputError(
      () => mailbox.receive('a', { limit: 1.5 }),
      'RedisMailbox.receive',
      'RedisMailbox.receive: limit must be an integer >= 0 or Infinity (got 1.5)',
    );
    await expectInputError(() => mailbox.receive('a', null as never), 'RedisMailbox.receive', 'RedisMailbox.receive: options must be an object when given (got null)');
    await expectInputError(
      () => mailbox.subscribe('t', nullPrototype),
      'RedisMailbox.subscribe',
      'RedisMailbox.subscribe: listener must be a function (got an object)',
    );
    await mailbox.close();
  });

  it('RedisLease.acquire refuses null options', async () => {
    const lease = new RedisLease({ connection: client, resource: 'r' });
    await expectInputError(() => lease.acquire(null as never), 'RedisLease.acquire', 'RedisLease.acquire: options must be an object when given (got null)');
    await lease.close();
  });

  it('sent nothing: the client never connected', () => {
    expect(client.status).toBe('wait');
  });
});
