import { describe, expect, it } from 'vitest';
import { cache, step, WorkflowContext, InvalidOptionsError } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { RedisCacheStore } from './redis-cache-store.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisCacheStore', () => {
  const redis = useRedisServer();
  const entry = (value: unknown, storedAt: number, ttlMs: number, staleMs = 0) => ({ value, storedAt, expiresAt: storedAt + ttlMs, staleUntil: storedAt + ttlMs + staleMs });

  it('round-trips an entry through JSON, and a missing key is undefined', async () => {
    const store = new RedisCacheStore({ connection: redis.client, prefix: redis.uniquePrefix('rt') });
    const stored = entry({ text: 'hi', list: [1, 2] }, 1_000, 5_000, 2_000);
    await store.set('a', stored);
    expect(await store.get('a')).toEqual(stored);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
  });

  it('lets Redis expire an entry once it may no longer be served (PX = staleUntil - storedAt)', async () => {
    const prefix = redis.uniquePrefix('px');
    const store = new RedisCacheStore({ connection: redis.client, prefix });
    await store.set('k', entry('v', 0, 10_000, 5_000));
    const pttl = await redis.client.pttl(`${prefix}cache:{default}:k`);
    expect(pttl).toBeGreaterThan(14_000);
    expect(pttl).toBeLessThanOrEqual(15_000);
    await store.set('forever', { value: 'v', storedAt: 0, expiresAt: Infinity, staleUntil: Infinity });
    expect(await redis.client.pttl(`${prefix}cache:{default}:forever`)).toBe(-1);
    expect(await store.get('forever')).toEqual({ value: 'v', storedAt: 0, expiresAt: Infinity, staleUntil: Infinity });
    await store.set('dead', entry('v', 0, 0));
    expect(await store.get('dead')).toBeUndefined();
  });

  it('stores an entry whose life is longer than Redis can count (ttlMs 1e300) for 2^53 - 1 ms', async () => {
    const prefix = redis.uniquePrefix('long');
    const store = new RedisCacheStore({ connection: redis.client, prefix });
    const now = Date.now();
    await store.set('k', entry('v', now, 1e300));
    expect(await store.get('k')).toMatchObject({ value: 'v' });
    expect(await redis.client.pttl(`${store.keyPrefix}k`)).toBeGreaterThan(8e15);
  });

  it('treats an unreadable entry as a miss', async () => {
    const prefix = redis.uniquePrefix('corrupt');
    const store = new RedisCacheStore({ connection: redis.client, prefix });
    await redis.client.set(`${prefix}cache:{default}:bad`, '{not json');
    expect(await store.get('bad')).toBeUndefined();
  });

  it('clears its own namespace only, and writes every key under the prefix', async () => {
    const prefix = redis.uniquePrefix('ns');
    const llm = new RedisCacheStore({ connection: redis.client, prefix, namespace: 'llm' });
    const search = new RedisCacheStore({ connection: redis.client, prefix, namespace: 'search' });
    for (let index = 0; index < 30; index++) await llm.set(`q${index}`, entry(index, 0, 60_000));
    await search.set('q', entry('kept', 0, 60_000));
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys).toHaveLength(31);
    expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
    await llm.clear();
    expect(await redis.keysWithPrefix(prefix)).toEqual([`${prefix}cache:{search}:q`]);
    expect((await search.get('q'))?.value).toBe('kept');
  });

  it('keeps namespaces apart that start one another, hold a backslash or glob characters, or are named like another store', async () => {
    const prefix = redis.uniquePrefix('overlap');
    const names = ['llm', 'llm:v2', 'a\\b', 'ab', 'a*', '[a]', 'x}y', 'lease', 'memory', 'mailbox', 'state', 'ratelimit', 'bull'];
    const stores = names.map((namespace) => new RedisCacheStore({ connection: redis.client, prefix, namespace }));
    // Keys of the other stores in the same database, under their own kinds, with the same names.
    for (const name of names) await redis.client.set(`${prefix}lease:{${name}}`, 'holder');
    await redis.client.set(`${prefix}bull:{workflows}:workflows:meta`, 'queue');
    await stores[0]!.set('v2:k', entry('llm', 0, 60_000));
    expect(await stores[1]!.get('k')).toBeUndefined();
    for (const [index, store] of stores.entries()) await store.set('k', entry(names[index], 0, 60_000));
    for (const [index, store] of stores.entries()) {
      const before = await redis.keysWithPrefix(prefix);
      await store.clear();
      expect(await store.get('k'), names[index]).toBeUndefined();
      const left = await redis.keysWithPrefix(prefix);
      // Exactly this namespace's entries are gone: every later namespace's entry and every other store's key stay.
      expect(before.filter((key) => !left.includes(key)).filter((key) => !key.startsWith(store.keyPrefix))).toEqual([]);
      for (const later of stores.slice(index + 1)) expect((await later.get('k'))?.value, names[index]).toBe(names[stores.indexOf(later)]);
    }
    expect((await redis.keysWithPrefix(prefix)).filter((key) => key.startsWith(`${prefix}cache:`))).toEqual([]);
    expect(await redis.keysWithPrefix(`${prefix}lease:`)).toHaveLength(names.length);
  });

  it('shares CachePrimitive results between two stores on separate connections', async () => {
    const prefix = redis.uniquePrefix('shared');
    const clock = new ManualClock(1_700_000_000_000);
    let computed = 0;
    const inner = step('slow', async (question: string) => {
      computed++;
      return `answer to ${question}`;
    });
    const stores = [0, 1].map(() => new RedisCacheStore<string>({ connection: redis.connection, prefix }));
    const first = cache(inner, { ttlMs: 60_000, store: stores[0]!, clock });
    const second = cache(inner, { ttlMs: 60_000, store: stores[1]!, clock });
    expect(await first.execute(new WorkflowContext(), 'q1')).toBe('answer to q1');
    expect(await second.execute(new WorkflowContext(), 'q1')).toBe('answer to q1');
    expect(computed).toBe(1);
    expect(second.stats()).toMatchObject({ hits: 1, misses: 0 });
    await Promise.all(stores.map((store) => store.close()));
  });

  it('refuses bad options at construction', () => {
    expect(() => new RedisCacheStore({ connection: redis.client, namespace: '' })).toThrow(InvalidOptionsError);
    expect(() => new RedisCacheStore({ connection: redis.client, prefix: 'a[b' })).toThrow(InvalidOptionsError);
    expect(() => new RedisCacheStore({ connection: redis.client, serialize: 'json' as never })).toThrow(/serialize/);
  });

  it('leases a missed key to one caller at a time, until it is released or expires', async () => {
    const prefix = redis.uniquePrefix('lease');
    const store = new RedisCacheStore({ connection: redis.client, prefix, namespace: 'llm' });
    const rival = new RedisCacheStore({ connection: redis.connection, prefix, namespace: 'llm' });
    const lease = await store.acquireLease('q', 10_000);
    expect(lease).toBeDefined();
    expect(await rival.acquireLease('q', 10_000)).toBeUndefined();
    expect(await rival.acquireLease('other', 10_000)).toBeDefined();
    await lease!.release();
    const taken = await rival.acquireLease('q', 100);
    expect(taken).toBeDefined();
    // The first holder's release of a lease it no longer holds frees nothing.
    await lease!.release();
    expect(await store.acquireLease('q', 10_000)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await store.acquireLease('q', 10_000)).toBeDefined();
    await expect(store.acquireLease('q', 0)).rejects.toThrow(/ttlMs/);
    await rival.close();
  });

  it('computes a key three processes miss at the same moment once (single flight across connections)', async () => {
    const prefix = redis.uniquePrefix('flight');
    const stores = [0, 1, 2].map(() => new RedisCacheStore<string>({ connection: redis.connection, prefix }));
    let calls = 0;
    const model = step('model', async (question: string) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return `answer to ${question}`;
    });
    const caches = stores.map((store) => cache(model, { ttlMs: 60_000, store, leasePollMs: 5 }));
    const answers = await Promise.all(caches.map((cached) => cached.execute(new WorkflowContext(), 'q')));
    expect(answers).toEqual(['answer to q', 'answer to q', 'answer to q']);
    expect(calls).toBe(1);
    expect(await redis.keysWithPrefix(`${prefix}flight:`)).toEqual([]);
    await Promise.all(stores.map((store) => store.close()));
  });
});
