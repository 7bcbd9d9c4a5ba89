import { describe, expect, it } from 'vitest';
import { step } from '@tta/primitives';
import {
  RedisAgentMemory,
  RedisCacheStore,
  RedisCircuitStateStore,
  RedisHandoffQueue,
  RedisLease,
  RedisMailbox,
  RedisRateLimiter,
  RedisSharedState,
  WorkerPool,
  createWorkflowQueue,
  createWorkflowQueueEvents,
  enqueueWorkflow,
} from './index.js';
import { scanKeys } from './scan.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('key prefix', () => {
  const redis = useRedisServer();

  it('namespaces every key that any part of the package writes, as SCAN of the whole server shows', async () => {
    const prefix = 'app-one:';
    const connection = redis.connection;
    const cacheStore = new RedisCacheStore({ connection, prefix });
    const circuits = new RedisCircuitStateStore({ connection, prefix });
    const limiter = new RedisRateLimiter({ connection, prefix, tokensPerInterval: 1, intervalMs: 60_000 });
    const lease = new RedisLease({ connection, prefix, resource: 'nightly' });
    const state = new RedisSharedState({ connection, prefix });
    const memory = new RedisAgentMemory({ connection, prefix });
    const mailbox = new RedisMailbox({ connection, prefix });
    const handoffs = new RedisHandoffQueue({ connection, prefix });
    const queue = createWorkflowQueue({ connection, prefix });
    const events = createWorkflowQueueEvents({ connection, prefix });
    const pool = new WorkerPool({ connection, prefix, workflows: { echo: step('echo', async (value: string) => value) } });

    await cacheStore.set('k', { value: 1, storedAt: 0, expiresAt: 60_000, staleUntil: 60_000 });
    await circuits.save('llm', { version: 1, state: 'closed', isolated: false, consecutiveFailures: 0, window: [], savedAtMs: 0 });
    await limiter.acquire('provider', 1);
    await lease.tryAcquire();
    await state.set({ scope: 'session', scopeId: 's', key: 'plan' }, 'draft', { ttlMs: 60_000 });
    await memory.store({ agentId: 'researcher', content: 'fact', tags: ['topic'] });
    await mailbox.send({ type: 'task', from: 'a', to: 'b', payload: 1 });
    await handoffs.enqueue({ id: 'task-1', to: 'reviewer', input: 1, correlationId: 'run', data: {}, history: [], enqueuedAt: 0 });
    await events.waitUntilReady();
    expect(await (await enqueueWorkflow(queue, 'echo', 'hi')).waitUntilFinished(events, 10_000)).toBe('hi');

    const keys = await scanKeys(redis.client, '*');
    expect(keys.length).toBeGreaterThan(15);
    expect(keys.filter((key) => !key.startsWith(prefix))).toEqual([]);
    for (const part of ['cache:', 'circuit:', 'ratelimit:', 'lease:', 'state:{session:s}:entry:plan', 'state:{session:s}:index', 'memory:', 'mailbox:{b}:inbox', 'bull:{workflows}:workflows:', 'bull:{handoff-reviewer}:handoff-reviewer:']) {
      expect(keys.some((key) => key.startsWith(prefix + part)), part).toBe(true);
    }

    await Promise.all([pool.close(), events.close(), queue.close(), handoffs.close()]);
    await Promise.all([cacheStore, circuits, limiter, lease, state, memory, mailbox].map((store) => store.close()));
  });
});
