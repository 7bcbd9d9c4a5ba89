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
import { tagBase } from './key-layout.js';
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
    const queue = createWorkflowQueue({ connection, prefix, workflows: ['echo'] });
    const events = createWorkflowQueueEvents({ connection, prefix, workflows: ['echo'] });
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
    for (const part of ['cache:{default}:k', 'circuit:{llm}', 'ratelimit:{provider}', 'lease:{nightly}', 'state:{session:s}:entry:plan', 'state:{session:s}:index', 'memory:{default}:', 'mailbox:{b}:inbox', 'bull:{workflows-echo}:workflows-echo:', 'bull:{handoff-reviewer}:handoff-reviewer:']) {
      expect(keys.some((key) => key.startsWith(prefix + part)), part).toBe(true);
    }
    // One layout: <prefix><kind>:{<tag>} and nothing but the tag between braces, so the hash tag is always the store's.
    const layout = /^app-one:(cache|circuit|ratelimit|lease|state|memory|mailbox|bull):\{[^{}]*\}(:[^{}]*)?$/;
    expect(keys.filter((key) => !layout.test(key))).toEqual([]);

    await Promise.all([pool.close(), events.close(), queue.close(), handoffs.close()]);
    await Promise.all([cacheStore, circuits, limiter, lease, state, memory, mailbox].map((store) => store.close()));
  });

  it('clears one namespace of each store with every other store\'s keys present, named like the stores, and leaves them all', async () => {
    const prefix = 'app-two:';
    const connection = redis.client;
    const names = ['lease', 'memory', 'mailbox', 'state', 'ratelimit', 'bull', 'cache', 'llm', 'llm:v2', 'a\\b', 'ab'];
    const caches = names.map((namespace) => new RedisCacheStore({ connection, prefix, namespace }));
    const memories = names.map((namespace) => new RedisAgentMemory({ connection, prefix, namespace }));
    const state = new RedisSharedState({ connection, prefix });
    const limiter = new RedisRateLimiter({ connection, prefix, tokensPerInterval: 5, intervalMs: 60_000 });
    const circuits = new RedisCircuitStateStore({ connection, prefix });
    const mailbox = new RedisMailbox({ connection, prefix });
    const handoffs = new RedisHandoffQueue({ connection, prefix });
    const queue = createWorkflowQueue({ connection, prefix, queueName: 'bull' });
    for (const [index, name] of names.entries()) {
      await caches[index]!.set('k', { value: name, storedAt: 0, expiresAt: Infinity, staleUntil: Infinity });
      await memories[index]!.store({ id: 'm', agentId: name, content: name, tags: [name] });
      await state.set({ scope: 'session', scopeId: name, key: name }, name);
      await limiter.acquire(name, 1);
      await circuits.save(name, { version: 1, state: 'closed', isolated: false, consecutiveFailures: 0, window: [], savedAtMs: 0 });
      await mailbox.send({ type: 't', from: 'a', to: name, payload: name });
      await new RedisLease({ connection, prefix, resource: name }).tryAcquire(60_000);
    }
    await handoffs.enqueue({ id: 'task-1', to: 'lease', input: 1, correlationId: 'run', data: {}, history: [], enqueuedAt: 0 });
    await enqueueWorkflow(queue, 'echo', 'hi', { jobId: 'job-1' });

    const clears: [string, () => Promise<unknown>][] = names.flatMap((name, index) => [
      [tagBase(prefix, 'cache', name), () => caches[index]!.clear()],
      [tagBase(prefix, 'memory', name), () => memories[index]!.clear()],
      [tagBase(prefix, 'state', ['session', name]), () => state.clearScope('session', name)],
    ] as [string, () => Promise<unknown>][]);
    for (const [own, clear] of clears) {
      const before = await scanKeys(redis.client, 'app-two:*');
      await clear();
      const after = new Set(await scanKeys(redis.client, 'app-two:*'));
      const removed = before.filter((key) => !after.has(key));
      expect(removed.length, own).toBeGreaterThan(0);
      expect(removed.filter((key) => !key.startsWith(`${own}:`)), own).toEqual([]);
    }
    // Each clear removed its own namespace only: nothing of the cache, memory or state is left, everything else is.
    const left = await scanKeys(redis.client, 'app-two:*');
    expect(left.filter((key) => /^app-two:(cache|memory|state):/.test(key))).toEqual([]);
    for (const kind of ['ratelimit', 'circuit', 'lease', 'mailbox']) expect(left.filter((key) => key.startsWith(`${prefix}${kind}:{`)), kind).toHaveLength(names.length);
    expect(left.some((key) => key.startsWith(`${prefix}bull:{bull}:bull:`))).toBe(true);
    expect(left.some((key) => key.startsWith(`${prefix}bull:{handoff-lease}:handoff-lease:`))).toBe(true);

    await Promise.all([queue.close(), handoffs.close(), state.close(), mailbox.close()]);
  });
});
