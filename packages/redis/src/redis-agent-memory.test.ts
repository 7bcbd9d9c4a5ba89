import { afterEach, describe, expect, it } from 'vitest';
import { describeAgentMemoryContract } from '@tta/agent-context/testing';
import { InvalidOptionsError } from '@tta/primitives';
import { RedisAgentMemory } from './redis-agent-memory.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisAgentMemory', () => {
  const redis = useRedisServer();

  // No script may hold the server: after every test it answers PING at once.
  afterEach(async () => {
    const started = performance.now();
    expect(await redis.client.ping()).toBe('PONG');
    expect(performance.now() - started).toBeLessThan(100);
  });

  describeAgentMemoryContract(
    'RedisAgentMemory',
    async ({ clock, maxEntries }) => new RedisAgentMemory({ connection: redis.client, prefix: redis.uniquePrefix('memory'), clock, maxEntries }),
    async (memory) => (memory as RedisAgentMemory).close(),
  );

  it('is shared by two instances on separate connections, bounded as one', async () => {
    const prefix = redis.uniquePrefix('shared');
    const left = new RedisAgentMemory({ connection: redis.connection, prefix, maxEntries: 3 });
    const right = new RedisAgentMemory({ connection: redis.connection, prefix, maxEntries: 3 });
    await left.store({ id: 'a', agentId: 'x', content: 1, tags: ['t'] });
    await right.store({ id: 'b', agentId: 'y', content: 2, tags: ['t'] });
    await left.store({ id: 'c', agentId: 'x', content: 3 });
    await right.store({ id: 'd', agentId: 'y', content: 4, tags: ['t'] });
    expect(await left.size()).toBe(3);
    expect(await right.retrieve('a')).toBeUndefined();
    expect((await left.query({ tags: ['t'], order: 'oldest' })).map((entry) => entry.id)).toEqual(['b', 'd']);
    await Promise.all([left.close(), right.close()]);
  });

  it('keeps namespaces apart that start one another or hold braces, backslashes or glob characters', async () => {
    const prefix = redis.uniquePrefix('overlap');
    const names = ['llm', 'llm:v2', 'a\\b', 'ab', 'a*', 'x}y', '{z', 'cache', 'lease'];
    const memories = names.map((namespace) => new RedisAgentMemory({ connection: redis.client, prefix, namespace }));
    await redis.client.set(`${prefix}cache:{llm}:k`, 'another store');
    for (const [index, memory] of memories.entries()) await memory.store({ id: 'same-id', agentId: 'agent', content: names[index], tags: ['t'] });
    for (const [index, memory] of memories.entries()) {
      expect(await memory.size(), names[index]).toBe(1);
      expect((await memory.retrieve('same-id'))?.content).toBe(names[index]);
    }
    for (const [index, memory] of memories.entries()) {
      await memory.clear();
      expect(await memory.size(), names[index]).toBe(0);
      for (const later of memories.slice(index + 1)) expect((await later.query({ tags: ['t'] })).map((entry) => entry.content)).toEqual([names[memories.indexOf(later)]]);
    }
    expect(await redis.keysWithPrefix(prefix)).toEqual([`${prefix}cache:{llm}:k`]);
    await Promise.all(memories.map((memory) => memory.close()));
  });

  it('removes its indexes with the entries, leaving no keys behind after clear', async () => {
    const prefix = redis.uniquePrefix('indexes');
    const memory = new RedisAgentMemory({ connection: redis.client, prefix, maxEntries: 2 });
    await memory.store({ id: 'a', agentId: 'x', content: 1, tags: ['one'] });
    await memory.store({ id: 'b', agentId: 'x', content: 2, tags: ['two'] });
    await memory.store({ id: 'c', agentId: 'z', content: 3, tags: ['three'] });
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys.some((key) => key.endsWith('tag:one'))).toBe(false);
    expect(keys.every((key) => key.startsWith(prefix))).toBe(true);
    await memory.clear();
    expect(await redis.keysWithPrefix(prefix)).toEqual([]);
    await memory.close();
  });

  // Two clients (as two processes would) race clear() against store(). A clear that was not atomic
  // left ids in the order without an entry (the next eviction spun forever: BUSY for every client)
  // or entries outside the order (never evicted, unseen by size and query).
  it('stays consistent and bounded while another client stores during clear', async () => {
    const prefix = redis.uniquePrefix('race');
    const clearing = new RedisAgentMemory({ connection: redis.connection, prefix, maxEntries: 5 });
    const storing = new RedisAgentMemory({ connection: redis.connection, prefix, maxEntries: 5 });
    try {
      for (let round = 0; round < 8; round++) {
        // Many index keys make a key-by-key clear take several round trips, the window of the race.
        for (let index = 0; index < 5; index++) await storing.store({ id: `seed-${index}`, agentId: 'seed', content: index, tags: Array.from({ length: 400 }, (_, tag) => `r${round}-${index}-${tag}`) });
        const racing = (async () => {
          for (let index = 0; index < 20; index++) await storing.store({ id: `race-${round}-${index}`, agentId: 'racer', content: index, tags: [`t${index % 3}`] });
        })();
        await Promise.all([clearing.clear(), racing]);
        const listed = (await clearing.query()).map((entry) => entry.id).sort();
        expect(await clearing.size()).toBe(listed.length);
        for (let index = 0; index < 20; index++) {
          const id = `race-${round}-${index}`;
          expect(listed.includes(id), id).toBe((await clearing.retrieve(id)) !== undefined);
        }
        for (let index = 0; index < 7; index++) await storing.store({ id: `after-${round}-${index}`, agentId: 'after', content: index });
        expect(await clearing.size()).toBe(5);
        expect((await clearing.query()).map((entry) => entry.id).sort()).toEqual([2, 3, 4, 5, 6].map((index) => `after-${round}-${index}`));
      }
    } finally {
      await Promise.all([clearing.close(), storing.close()]);
    }
  });

  it('evicts ids left in the order without an entry instead of spinning on them', async () => {
    const prefix = redis.uniquePrefix('ghosts');
    const memory = new RedisAgentMemory({ connection: redis.client, prefix, maxEntries: 2 });
    // The state a clear that raced a store used to leave: ids due for eviction whose entries are gone.
    await redis.client.zadd(`${prefix}memory:{default}:order`, -3, 'ghost-1', -2, 'ghost-2', -1, 'ghost-3');
    // size() counts the order: were the key layout to move, this fails instead of testing nothing.
    expect(await memory.size()).toBe(3);
    for (const id of ['a', 'b', 'c']) await memory.store({ id, agentId: 'x', content: id });
    expect((await memory.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(['b', 'c']);
    expect(await memory.size()).toBe(2);
  });

  it('evicts the whole excess in one store when another instance holds a tighter bound', async () => {
    const prefix = redis.uniquePrefix('excess');
    const wide = new RedisAgentMemory({ connection: redis.client, prefix, maxEntries: 50 });
    const narrow = new RedisAgentMemory({ connection: redis.client, prefix, maxEntries: 3 });
    for (let index = 0; index < 40; index++) await wide.store({ id: `w${index}`, agentId: 'x', content: index, tags: [`t${index % 4}`] });
    await narrow.store({ id: 'last', agentId: 'y', content: 'last', tags: ['t0'] });
    expect((await narrow.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(['w38', 'w39', 'last']);
    expect((await narrow.query({ tags: ['t0'] })).map((entry) => entry.id)).toEqual(['last']);
    // Index keys of evicted entries are gone with them: only t0 (last), t2 (w38) and t3 (w39) remain.
    const tagKeys = (await redis.keysWithPrefix(prefix)).filter((key) => key.includes(':tag:')).sort();
    expect(tagKeys.map((key) => key.slice(key.lastIndexOf(':') + 1))).toEqual(['t0', 't2', 't3']);
  });

  it('refuses a bad bound at construction', () => {
    expect(() => new RedisAgentMemory({ connection: redis.client, maxEntries: 0 })).toThrow(InvalidOptionsError);
  });
});
