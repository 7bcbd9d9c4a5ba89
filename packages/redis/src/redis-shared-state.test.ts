import { describe, expect, it, vi } from 'vitest';
import { describeSharedStateContract } from '@tta/agent-context/testing';
import { StateConflictError, type StateChange } from '@tta/agent-context';
import { ManualClock } from '@tta/primitives/testing';
import { RedisSharedState } from './redis-shared-state.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisSharedState', () => {
  const redis = useRedisServer();

  describeSharedStateContract(
    'RedisSharedState',
    async ({ clock }) => new RedisSharedState({ connection: redis.client, prefix: redis.uniquePrefix('state'), clock }),
    async (store) => (store as RedisSharedState).close(),
  );

  it('lets exactly one of two stores on separate connections win a compare-and-set race', async () => {
    const prefix = redis.uniquePrefix('race');
    const clock = new ManualClock(1_000);
    const stores = [0, 1].map(() => new RedisSharedState({ connection: redis.connection, prefix, clock }));
    const address = { scope: 'global', scopeId: '', key: 'leader' } as const;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, index) => stores[index % 2]!.compareAndSet(address, 0, `candidate-${index}`)),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(StateConflictError.isInstance(outcome.reason)).toBe(true);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('delivers a change made through one store to a subscriber of another', async () => {
    const prefix = redis.uniquePrefix('fanout');
    const writer = new RedisSharedState({ connection: redis.connection, prefix });
    const reader = new RedisSharedState({ connection: redis.connection, prefix });
    const changes: StateChange[] = [];
    const subscription = await reader.subscribe({ scope: 'session', scopeId: 's1' }, (change) => changes.push(change));
    await writer.set({ scope: 'session', scopeId: 's1', key: 'plan' }, { step: 1 }, { updatedBy: 'planner' });
    await vi.waitFor(() => expect(changes).toHaveLength(1), { timeout: 5_000, interval: 5 });
    expect(changes[0]).toMatchObject({ type: 'set', key: 'plan', previousVersion: 0, entry: { value: { step: 1 }, version: 1, updatedBy: 'planner' } });
    subscription.dispose();
    await Promise.all([writer.close(), reader.close()]);
  });

  it('keeps scope ids with separators apart', async () => {
    const store = new RedisSharedState({ connection: redis.client, prefix: redis.uniquePrefix('sep') });
    await store.set({ scope: 'workflow', scopeId: 'a:b', key: 'c' }, 1);
    await store.set({ scope: 'workflow', scopeId: 'a', key: 'b:c' }, 2);
    expect((await store.get({ scope: 'workflow', scopeId: 'a:b', key: 'c' }))?.value).toBe(1);
    expect(await store.keys('workflow', 'a')).toEqual(['b:c']);
    await store.close();
  });

  it('clearScope refuses an unknown scope or a scope id with a lone surrogate, typed, and clears nothing', async () => {
    const store = new RedisSharedState({ connection: redis.client, prefix: redis.uniquePrefix('clear-names') });
    await store.set({ scope: 'session', scopeId: 'tenant-\ufffd', key: 'k' }, 1);
    for (const [scope, scopeId] of [['session', 'tenant-\ud800'], ['tenant}:x', 'x'], ['session', 7]] as const) {
      const error = await store.clearScope(scope as never, scopeId as never).catch((caught: unknown) => caught);
      expect(error, `${scope} ${String(scopeId)}`).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
    }
    expect(await store.keys('session', 'tenant-\ufffd')).toEqual(['k']);
    await store.close();
  });

  it('writes only keys under its prefix, and clearScope removes one scope id', async () => {
    const prefix = redis.uniquePrefix('keys');
    const store = new RedisSharedState({ connection: redis.client, prefix });
    await store.set({ scope: 'workflow', scopeId: 'run-1', key: 'x' }, 1, { ttlMs: 60_000 });
    await store.set({ scope: 'workflow', scopeId: 'run-2', key: 'y' }, 2);
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
    expect(await store.clearScope('workflow', 'run-1')).toBe(1);
    expect(await store.keys('workflow', 'run-1')).toEqual([]);
    expect(await store.keys('workflow', 'run-2')).toEqual(['y']);
    await store.close();
  });

  it('clearScope of a scope id that starts another, holds a backslash or glob characters, or is named like a store removes that scope only', async () => {
    const prefix = redis.uniquePrefix('overlap');
    const store = new RedisSharedState({ connection: redis.client, prefix });
    const ids = ['llm', 'llm:v2', 'a\\b', 'ab', 'a*', '[a]', 'x}y', 'lease', 'cache'];
    await redis.client.set(`${prefix}lease:{llm}`, 'holder');
    await redis.client.set(`${prefix}cache:{default}:k`, 'entry');
    for (const scopeId of ids) await store.set({ scope: 'session', scopeId, key: 'k' }, scopeId);
    for (const [index, scopeId] of ids.entries()) {
      expect(await store.clearScope('session', scopeId), scopeId).toBe(1);
      expect(await store.keys('session', scopeId)).toEqual([]);
      for (const later of ids.slice(index + 1)) expect((await store.get({ scope: 'session', scopeId: later, key: 'k' }))?.value, scopeId).toBe(later);
    }
    expect((await redis.keysWithPrefix(prefix)).sort()).toEqual([`${prefix}cache:{default}:k`, `${prefix}lease:{llm}`]);
    await store.close();
  });

  it('lets the index of a scope expire with its last entry, also when the scope once held an entry without TTL', async () => {
    const prefix = redis.uniquePrefix('index-ttl');
    const store = new RedisSharedState({ connection: redis.client, prefix, expiryGraceMs: 0 });
    const at = (scopeId: string, key: string) => ({ scope: 'workflow', scopeId, key }) as const;
    await store.set(at('overwritten', 'x'), 1);
    await store.set(at('overwritten', 'x'), 2, { ttlMs: 150 });
    await store.set(at('deleted', 'a'), 1);
    await store.set(at('deleted', 'b'), 2, { ttlMs: 150 });
    await store.delete(at('deleted', 'a'));
    await store.set(at('kept', 'a'), 1);
    await store.set(at('kept', 'b'), 2, { ttlMs: 150 });
    // Left: the entry without TTL of 'kept' and the index that lists it.
    await expect.poll(() => redis.keysWithPrefix(prefix), { timeout: 5_000, interval: 20 }).toHaveLength(2);
    const left = await redis.keysWithPrefix(prefix);
    expect(left.every((key) => key.includes('kept'))).toBe(true);
    for (const key of left) expect(await redis.client.pttl(key)).toBe(-1);
    expect(await store.keys('workflow', 'kept')).toEqual(['a']);
    await store.close();
  });

  it('keeps the index as long as its longest-lived entry, and lists keys by prefix', async () => {
    const prefix = redis.uniquePrefix('index-long');
    const store = new RedisSharedState({ connection: redis.client, prefix, expiryGraceMs: 0 });
    await store.set({ scope: 'session', scopeId: 's', key: 'plan:long' }, 1, { ttlMs: 60_000 });
    await store.set({ scope: 'session', scopeId: 's', key: 'plan:short' }, 2, { ttlMs: 100 });
    await store.set({ scope: 'session', scopeId: 's', key: 'notes' }, 3, { ttlMs: 30_000 });
    const index = (await redis.keysWithPrefix(prefix)).filter((key) => key.slice(prefix.length).includes('index'));
    expect(index).toHaveLength(1);
    expect(await redis.client.pttl(index[0]!)).toBeGreaterThan(59_000);
    expect(await store.keys('session', 's', 'plan:')).toEqual(['plan:long', 'plan:short']);
    await expect.poll(() => store.keys('session', 's', 'plan:'), { timeout: 5_000, interval: 20 }).toEqual(['plan:long']);
    await store.delete({ scope: 'session', scopeId: 's', key: 'plan:long' });
    expect(await redis.client.pttl(index[0]!)).toBeLessThanOrEqual(30_000);
    expect(await redis.client.pttl(index[0]!)).toBeGreaterThan(25_000);
    await store.close();
  });

  it('lets Redis drop an expired entry after the grace period', async () => {
    const prefix = redis.uniquePrefix('ttl');
    const store = new RedisSharedState({ connection: redis.client, prefix, expiryGraceMs: 1_000 });
    await store.set({ scope: 'global', scopeId: '', key: 'short' }, 'v', { ttlMs: 500 });
    const [entryKey] = (await redis.keysWithPrefix(`${prefix}state:`));
    const pttl = await redis.client.pttl(entryKey!);
    expect(pttl).toBeGreaterThan(1_000);
    expect(pttl).toBeLessThanOrEqual(1_500);
    await store.close();
  });
});
