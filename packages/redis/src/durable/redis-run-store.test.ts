import { describe, expect, it } from 'vitest';
import { describeRunStoreContract } from '@tta/durable/testing';
import { ManualClock } from '@tta/primitives/testing';
import { runRedisSuites } from '../test-support/redis-server.js';
import { useRedisServer } from '../test-support/use-redis.js';
import { RedisRunStore } from './index.js';

describe.skipIf(!runRedisSuites)('RedisRunStore', () => {
  const redis = useRedisServer();

  describeRunStoreContract(
    'RedisRunStore',
    async ({ clock, retentionMs }) => new RedisRunStore({ connection: redis.client, prefix: redis.uniquePrefix('durable'), clock, retentionMs }),
    async (store) => (store as RedisRunStore).close(),
  );

  const header = (runId: string) => ({ runId, name: 'flow', fingerprint: 'f', createdAt: 0, input: null });

  it('keeps every key of a run under one hash tag, and only keys under its prefix', async () => {
    const prefix = redis.uniquePrefix('layout');
    const store = new RedisRunStore({ connection: redis.client, prefix });
    await store.createRun(header('run:{1}'));
    const token = (await store.acquireLease('run:{1}', 'w', 10_000))!;
    await store.appendStep('run:{1}', token, { path: 'a', name: 'a', kind: 'step', status: 'completed', output: 1, startedAt: 0, endedAt: 0 });
    const keys = (await redis.keysWithPrefix(prefix)).sort();
    expect(keys).toEqual([`${prefix}durable:runs`, `${prefix}durable:{run%3A%7B1%7D}:journal`, `${prefix}durable:{run%3A%7B1%7D}:lease`, `${prefix}durable:{run%3A%7B1%7D}:run`].sort());
    await store.close();
  });

  it('lets Redis expire a finished run after retentionMs, journal and lease included, and keeps a running one', async () => {
    const prefix = redis.uniquePrefix('expiry');
    const store = new RedisRunStore({ connection: redis.client, prefix, retentionMs: 300 });
    for (const runId of ['done', 'busy']) {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'w', 10_000))!;
      await store.appendStep(runId, token, { path: 'a', name: 'a', kind: 'step', status: 'completed', output: 1, startedAt: 0, endedAt: 0 });
      if (runId === 'done') await store.setStatus(runId, token, { status: 'completed', output: 1 });
    }
    await expect.poll(async () => (await redis.keysWithPrefix(`${prefix}durable:{done}`)).length, { timeout: 5_000, interval: 50 }).toBe(0);
    expect((await redis.keysWithPrefix(`${prefix}durable:{busy}`)).length).toBe(3);
    expect((await store.listRuns()).map((run) => run.runId)).toEqual(['busy']);
    await store.close();
  });

  it('gives the lease to exactly one of two stores on separate connections racing for it', async () => {
    const prefix = redis.uniquePrefix('race');
    const clock = new ManualClock(1_000);
    const stores = [0, 1].map(() => new RedisRunStore({ connection: redis.connection, prefix, clock }));
    await stores[0]!.createRun(header('contended'));
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, index) => stores[index % 2]!.acquireLease('contended', `w${index}`, 10_000)));
    expect(tokens.filter((token) => token !== undefined)).toHaveLength(1);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('refuses bad options with InvalidOptionsError naming the option', () => {
    expect(() => new RedisRunStore({ connection: redis.client, retentionMs: -1 })).toThrow(/retentionMs/);
    expect(() => new RedisRunStore({ connection: redis.client, prefix: 'a{b' })).toThrow(/prefix/);
    expect(() => new RedisRunStore({ connection: redis.client, clock: 5 as never })).toThrow(/clock/);
  });
});
