import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { InvalidOptionsError, step } from '@tta/primitives';
import { createRedisConnection, toIoredisOptions } from './connection.js';
import { createWorkflowQueue, createWorkflowQueueEvents } from './enqueue-workflow.js';
import { RedisAgentMemory } from './redis-agent-memory.js';
import { RedisCacheStore } from './redis-cache-store.js';
import { RedisCircuitStateStore } from './redis-circuit-state-store.js';
import { RedisHandoffQueue } from './redis-handoff-queue.js';
import { RedisLease } from './redis-lease.js';
import { RedisMailbox } from './redis-mailbox.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { RedisSharedState } from './redis-shared-state.js';
import { WorkerPool } from './worker-pool.js';

// Every check here fails in the constructor, before any command: the client never connects.
const client = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
afterAll(() => client.disconnect());

/** Runs `make` and returns the InvalidOptionsError it throws (failing the test when it throws anything else). */
function optionsError(make: () => unknown): InvalidOptionsError {
  let thrown: unknown;
  try {
    make();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidOptionsError);
  expect(InvalidOptionsError.isInstance(thrown)).toBe(true);
  return thrown as InvalidOptionsError;
}

/** Asserts that `make` throws InvalidOptionsError for `kind`, naming `option`, with exactly `message`. */
function expectOptionsError(make: () => unknown, kind: string, option: string, message: string): void {
  const error = optionsError(make);
  expect(error.primitive).toBe(kind);
  expect(error.option).toBe(option);
  expect(error.code).toBe('INVALID_OPTIONS');
  expect(error.message).toBe(message);
}

const nullPrototype = Object.create(null) as never;

describe('options validation (no server needed)', () => {
  it('the lazily connecting client used below never connected', () => {
    expect(client.status).toBe('wait');
  });

  it('RedisCacheStore names the bad option', () => {
    expectOptionsError(() => new RedisCacheStore(null as never), 'RedisCacheStore', 'options', 'RedisCacheStore: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisCacheStore({ connection: client, prefix: 42 as never }), 'RedisCacheStore', 'prefix', 'RedisCacheStore: option "prefix" must be a string (got 42)');
    expectOptionsError(() => new RedisCacheStore({ connection: client, prefix: nullPrototype }), 'RedisCacheStore', 'prefix', 'RedisCacheStore: option "prefix" must be a string (got an object)');
    expectOptionsError(() => new RedisCacheStore({ connection: client, deserialize: 1 as never }), 'RedisCacheStore', 'deserialize', 'RedisCacheStore: option "deserialize" must be a function when given');
  });

  it('RedisCircuitStateStore names the bad option', () => {
    expectOptionsError(() => new RedisCircuitStateStore(null as never), 'RedisCircuitStateStore', 'options', 'RedisCircuitStateStore: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisCircuitStateStore({ connection: client, ttlMs: 1.5 }), 'RedisCircuitStateStore', 'ttlMs', 'RedisCircuitStateStore: option "ttlMs" must be an integer >= 0 and <= 9007199254740991 (got 1.5)');
  });

  it('RedisRateLimiter names the bad option and describes values String() cannot print', () => {
    expectOptionsError(() => new RedisRateLimiter(undefined as never), 'RedisRateLimiter', 'options', 'RedisRateLimiter: option "options" must be an object (got undefined)');
    expectOptionsError(() => new RedisRateLimiter(null as never), 'RedisRateLimiter', 'options', 'RedisRateLimiter: option "options" must be an object (got null)');
    expectOptionsError(
      () => new RedisRateLimiter({ connection: client, tokensPerInterval: nullPrototype, intervalMs: 1_000 }),
      'RedisRateLimiter',
      'tokensPerInterval',
      'RedisRateLimiter: option "tokensPerInterval" must be a finite number > 0 (got an object)',
    );
    expectOptionsError(
      () => new RedisRateLimiter({ connection: client, tokensPerInterval: 1, intervalMs: Infinity }),
      'RedisRateLimiter',
      'intervalMs',
      'RedisRateLimiter: option "intervalMs" must be a finite number > 0 (got Infinity)',
    );
    expectOptionsError(
      () => new RedisRateLimiter({ connection: client, tokensPerInterval: 1, intervalMs: 1_000, burst: 0.5 }),
      'RedisRateLimiter',
      'burst',
      'RedisRateLimiter: option "burst" must be a finite number >= 1 (got 0.5)',
    );
  });

  it('RedisLease names the bad option', () => {
    expectOptionsError(() => new RedisLease(undefined as never), 'RedisLease', 'options', 'RedisLease: option "options" must be an object (got undefined)');
    expectOptionsError(() => new RedisLease(null as never), 'RedisLease', 'options', 'RedisLease: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisLease({ connection: client, resource: '' }), 'RedisLease', 'resource', 'RedisLease: option "resource" must be a non-empty string');
    expectOptionsError(() => new RedisLease({ connection: client, resource: 'r', retryDelayMs: -1 }), 'RedisLease', 'retryDelayMs', 'RedisLease: option "retryDelayMs" must be a finite number >= 0 (got -1)');
  });

  it('RedisLease refuses a ttlMs Redis cannot take (fraction, above 2^53 - 1, Infinity, NaN) before any command', async () => {
    for (const ttlMs of [0.5, 1.5, 2 ** 53, 1e300, Infinity, Number.NaN, -1]) {
      expectOptionsError(() => new RedisLease({ connection: client, resource: 'r', ttlMs }), 'RedisLease', 'ttlMs', `RedisLease: option "ttlMs" must be an integer >= 1 and <= ${Number.MAX_SAFE_INTEGER} (got ${String(ttlMs)})`);
    }
    expect(new RedisLease({ connection: client, resource: 'r', ttlMs: 2 ** 31 + 1 }).ttlMs).toBe(2 ** 31 + 1);
    const lease = new RedisLease({ connection: client, resource: 'r' });
    await expect(lease.tryAcquire(1e300)).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(lease.extend('token', 2.5)).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(lease.acquire({ waitMs: Number.NaN })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(lease.acquire({ waitMs: -1 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('RedisSharedState names the bad option', () => {
    expectOptionsError(() => new RedisSharedState(null as never), 'RedisSharedState', 'options', 'RedisSharedState: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisSharedState({ connection: client, expiryGraceMs: -1 }), 'RedisSharedState', 'expiryGraceMs', 'RedisSharedState: option "expiryGraceMs" must be an integer >= 0 and <= 9007199254740991 (got -1)');
  });

  it('RedisAgentMemory names the bad option', () => {
    expectOptionsError(() => new RedisAgentMemory(null as never), 'RedisAgentMemory', 'options', 'RedisAgentMemory: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisAgentMemory({ connection: client, maxEntries: 0 }), 'RedisAgentMemory', 'maxEntries', 'RedisAgentMemory: option "maxEntries" must be an integer >= 1');
    expectOptionsError(
      () => new RedisAgentMemory({ connection: client, namespace: '' }),
      'RedisAgentMemory',
      'namespace',
      'RedisAgentMemory: option "namespace" must be a non-empty string (got "")',
    );
  });

  it('RedisMailbox names the bad option', () => {
    expectOptionsError(() => new RedisMailbox(null as never), 'RedisMailbox', 'options', 'RedisMailbox: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisMailbox({ connection: client, inboxTtlMs: -5 }), 'RedisMailbox', 'inboxTtlMs', 'RedisMailbox: option "inboxTtlMs" must be an integer >= 0 and <= 9007199254740991 (got -5)');
  });

  it('RedisHandoffQueue names the bad option before opening any connection', () => {
    expectOptionsError(() => new RedisHandoffQueue(null as never), 'RedisHandoffQueue', 'options', 'RedisHandoffQueue: option "options" must be an object (got null)');
    expectOptionsError(() => new RedisHandoffQueue({ connection: client, attempts: 0 }), 'RedisHandoffQueue', 'attempts', 'RedisHandoffQueue: option "attempts" must be an integer >= 1');
    expectOptionsError(
      () => new RedisHandoffQueue({ connection: client, lockDurationMs: 0.5 }),
      'RedisHandoffQueue',
      'lockDurationMs',
      'RedisHandoffQueue: option "lockDurationMs" must be an integer >= 1 and <= 9007199254740991 (got 0.5)',
    );
  });

  it('WorkerPool names the bad option before opening any connection', () => {
    const work = step('work', async () => 1);
    expectOptionsError(() => new WorkerPool(undefined as never), 'WorkerPool', 'options', 'WorkerPool: option "options" must be an object (got undefined)');
    expectOptionsError(() => new WorkerPool(null as never), 'WorkerPool', 'options', 'WorkerPool: option "options" must be an object (got null)');
    expectOptionsError(() => new WorkerPool({ connection: client, workflows: null as never }), 'WorkerPool', 'workflows', 'WorkerPool: option "workflows" must be an object of primitives');
    expectOptionsError(() => new WorkerPool({ connection: client, workflows: { work }, concurrency: 0 }), 'WorkerPool', 'concurrency', 'WorkerPool: option "concurrency" must be an integer >= 1');
    expectOptionsError(
      () => new WorkerPool({ connection: client, workflows: { work }, queueName: nullPrototype }),
      'WorkerPool',
      'queueName',
      'WorkerPool: option "queueName" must be a non-empty string without ":" (got an object)',
    );
  });

  it('createWorkflowQueue and createWorkflowQueueEvents name the bad option', () => {
    expectOptionsError(() => createWorkflowQueue(null as never), 'createWorkflowQueue', 'options', 'createWorkflowQueue: option "options" must be an object (got null)');
    expectOptionsError(
      () => createWorkflowQueueEvents({ connection: client, queueName: '' }),
      'createWorkflowQueueEvents',
      'queueName',
      'createWorkflowQueueEvents: option "queueName" must be a non-empty string without ":" (got "")',
    );
  });

  it('refuses an option key no store defines, naming it and the accepted keys, instead of ignoring a typo', () => {
    const work = step('work', async () => 1);
    expectOptionsError(
      () => new RedisHandoffQueue({ connection: client, mode: 'queued' } as never),
      'RedisHandoffQueue',
      'mode',
      'RedisHandoffQueue: option "mode" is not an option of RedisHandoffQueue (it takes attempts, connection, idleAgentTtlMs, lockDurationMs, maxOpenAgents, prefix, retryDelayMs)',
    );
    const typos: [string, () => unknown][] = [
      ['RedisCacheStore', () => new RedisCacheStore({ connection: client, ttlMs: 5 } as never)],
      ['RedisCircuitStateStore', () => new RedisCircuitStateStore({ connection: client, ttl: 5 } as never)],
      ['RedisRateLimiter', () => new RedisRateLimiter({ connection: client, tokensPerInterval: 1, intervalMs: 1_000, tokens: 1 } as never)],
      ['RedisLease', () => new RedisLease({ connection: client, resource: 'r', ttl: 5 } as never)],
      ['RedisSharedState', () => new RedisSharedState({ connection: client, namespace: 'x' } as never)],
      ['RedisAgentMemory', () => new RedisAgentMemory({ connection: client, maxEntry: 5 } as never)],
      ['RedisMailbox', () => new RedisMailbox({ connection: client, redeliveryMs: 5 } as never)],
      ['WorkerPool', () => new WorkerPool({ connection: client, workflows: { work }, queue: 'x' } as never)],
      ['createWorkflowQueue', () => createWorkflowQueue({ connection: client, queue: 'x' } as never)],
      ['createWorkflowQueueEvents', () => createWorkflowQueueEvents({ connection: client, workflows: ['work'], name: 'x' } as never)],
      ['RedisConnection', () => toIoredisOptions({ port: 6379, timeoutMs: 5 } as never)],
    ];
    for (const [kind, make] of typos) {
      const error = optionsError(make);
      expect(error.primitive, kind).toBe(kind);
      expect(error.message, kind).toMatch(/is not an option of .* \(it takes /);
    }
  });

  it('connection options name the bad option', () => {
    expectOptionsError(() => toIoredisOptions(null as never), 'RedisConnection', 'options', 'RedisConnection: option "options" must be an object (got null)');
    expectOptionsError(() => createRedisConnection(null as never), 'RedisConnection', 'options', 'RedisConnection: option "options" must be an object (got null)');
    expectOptionsError(() => toIoredisOptions({ port: 0 }), 'RedisConnection', 'port', 'RedisConnection: option "port" must be an integer between 1 and 65535 (got 0)');
    expectOptionsError(
      () => toIoredisOptions({ commandTimeoutMs: nullPrototype }),
      'RedisConnection',
      'commandTimeoutMs',
      'RedisConnection: option "commandTimeoutMs" must be a finite number >= 0 (got an object)',
    );
  });

  it('a URL that does not parse is refused without echoing it (it may hold a password)', () => {
    const error = optionsError(() => toIoredisOptions({ url: 'redis://user:s3cret@[bad' }));
    expect(error.option).toBe('url');
    expect(error.message).toBe('RedisConnection: option "url" must be a redis:// or rediss:// URL');
    expect(error.message).not.toContain('s3cret');
  });
});
