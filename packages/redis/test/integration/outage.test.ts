// Redis stopped mid-run: calls fail with RedisUnavailableError within a bounded time (no hang),
// the same store objects work again once the server is back, and with appendonly + appendfsync
// always no write that was acknowledged before the crash is lost.
import { describe, expect, it, vi } from 'vitest';
import { step } from '@tta/primitives';
import { RedisCacheStore, RedisMailbox, RedisSharedState, RedisUnavailableError, WorkerPool, createWorkflowQueue, createWorkflowQueueEvents, enqueueWorkflow } from '../../src/index.js';
import { runRedisSuites } from '../../src/test-support/redis-server.js';
import { useRedisServer } from '../../src/test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('@tta/redis when Redis goes away', () => {
  const redis = useRedisServer({ appendonly: true, appendfsync: 'always' });

  it('fails fast with typed errors while down, loses no acknowledged write, and recovers', async () => {
    const prefix = redis.uniquePrefix('outage');
    const connection = { port: redis.server.port, commandTimeoutMs: 500, connectTimeoutMs: 500, maxReconnectDelayMs: 100 };
    const state = new RedisSharedState({ connection, prefix });
    const cacheStore = new RedisCacheStore({ connection, prefix });
    const mailbox = new RedisMailbox({ connection, prefix });
    const queue = createWorkflowQueue({ connection, prefix, queueName: 'outage' });
    const address = (index: number) => ({ scope: 'global', scopeId: '', key: `item-${index}` }) as const;
    const changes: string[] = [];
    const subscription = await state.subscribe({ key: 'watched' }, (change) => changes.push(String(change.entry?.value)));

    // A writer that keeps going; the server is killed under it after 150 acknowledged writes.
    const acknowledged: number[] = [];
    const failures: unknown[] = [];
    let index = 0;
    const writer = (async () => {
      while (failures.length < 3) {
        const current = index++;
        try {
          await state.set(address(current), { n: current });
          acknowledged.push(current);
          if (acknowledged.length === 150) void redis.server.crash();
        } catch (error) {
          failures.push(error);
        }
      }
    })();
    await writer;
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);
    expect(failures.every((error) => RedisUnavailableError.isInstance(error))).toBe(true);
    expect(failures[0]).toMatchObject({ code: 'REDIS_UNAVAILABLE', operation: 'RedisSharedState.set' });

    // Every kind of call fails with the typed error, each within a bounded time.
    const timed = async (call: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> => {
      const started = performance.now();
      const error = await call().then(() => undefined, (caught: unknown) => caught);
      return { error, elapsedMs: performance.now() - started };
    };
    const outcomes = await Promise.all([
      timed(() => state.get(address(0))),
      timed(() => state.compareAndSet(address(0), 1, 'x')),
      timed(() => cacheStore.get('anything')),
      timed(() => mailbox.send({ type: 't', from: 'a', to: 'b', payload: 1 })),
      timed(() => enqueueWorkflow(queue, 'record', { i: 1 })),
    ]);
    for (const { error, elapsedMs } of outcomes) {
      expect(RedisUnavailableError.isInstance(error), String(error)).toBe(true);
      expect(elapsedMs).toBeLessThan(3_000);
    }

    // Back up on the same port: the same objects recover without being recreated.
    await redis.server.restart();
    await vi.waitFor(async () => expect(await state.get(address(0))).toBeDefined(), { timeout: 10_000, interval: 50 });
    const entries = await Promise.all(acknowledged.map((n) => state.get<{ n: number }>(address(n))));
    const lost = acknowledged.filter((n, position) => entries[position]?.value.n !== n);
    expect(lost).toEqual([]);
    expect((await state.set(address(0), 'after restart')).version).toBe(2);
    // The subscriber connection resubscribed by itself.
    await vi.waitFor(async () => {
      await state.set({ scope: 'global', scopeId: '', key: 'watched' }, 'after restart');
      expect(changes).toContain('after restart');
    }, { timeout: 10_000, interval: 100 });
    subscription.dispose();
    await mailbox.send({ type: 't', from: 'a', to: 'b', payload: 'after restart' });
    expect(await mailbox.pending('b')).toBe(1);

    await Promise.all([state.close(), cacheStore.close(), mailbox.close(), queue.close()]);
  });

  it('keeps a WorkerPool running through a Redis restart: queued jobs survive and new ones run', async () => {
    const prefix = redis.uniquePrefix('pool-outage');
    const connection = { port: redis.server.port, commandTimeoutMs: 500, connectTimeoutMs: 500, maxReconnectDelayMs: 100 };
    const done: number[] = [];
    const pool = new WorkerPool({ connection, prefix, workflows: { note: step('note', async (n: number) => void done.push(n)) } });
    const queue = createWorkflowQueue({ connection, prefix, workflows: ['note'] });
    const events = createWorkflowQueueEvents({ connection, prefix, workflows: ['note'] });
    await Promise.all([pool.waitUntilReady(), events.waitUntilReady()]);
    await (await enqueueWorkflow(queue, 'note', 1)).waitUntilFinished(events, 10_000);

    await pool.worker.pause();
    await enqueueWorkflow(queue, 'note', 2);
    await redis.server.crash();
    const refused = await enqueueWorkflow(queue, 'note', 3).catch((caught: unknown) => caught);
    expect(RedisUnavailableError.isInstance(refused)).toBe(true);
    await redis.server.restart();
    await pool.worker.resume();
    await vi.waitFor(() => expect(done).toEqual([1, 2]), { timeout: 15_000, interval: 50 });
    await vi.waitFor(() => enqueueWorkflow(queue, 'note', 4), { timeout: 10_000, interval: 100 });
    await vi.waitFor(() => expect(done).toEqual([1, 2, 4]), { timeout: 15_000, interval: 50 });
    await Promise.all([pool.close(), events.close(), queue.close()]);
  });

  it('fails with RedisUnavailableError, not a hang, when the server was never there', async () => {
    const store = new RedisCacheStore({ connection: { port: 1, connectTimeoutMs: 200, commandTimeoutMs: 400 } });
    const started = performance.now();
    const error = await store.get('key').catch((caught: unknown) => caught);
    expect(RedisUnavailableError.isInstance(error)).toBe(true);
    expect((error as RedisUnavailableError).cause).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeLessThan(2_000);
    await store.close();
  });
});
