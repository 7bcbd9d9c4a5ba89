import { describe, expect, it } from 'vitest';
import { describeAgentMemoryContract } from '@tta/agent-context/testing';
import { InvalidOptionsError } from '@tta/primitives';
import { RedisAgentMemory } from './redis-agent-memory.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisAgentMemory', () => {
  const redis = useRedisServer();

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

  it('refuses a bad bound at construction', () => {
    expect(() => new RedisAgentMemory({ connection: redis.client, maxEntries: 0 })).toThrow(InvalidOptionsError);
  });
});
