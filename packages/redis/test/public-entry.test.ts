import { describe, expect, it } from 'vitest';
import * as redis from '@tta/redis';

describe('@tta/redis public entry', () => {
  it('exports the stores, the connection helpers and the workers, not the key-prefix internals', () => {
    const names = Object.keys(redis);
    expect(names).not.toContain('DEFAULT_PREFIX');
    for (const api of ['RedisCacheStore', 'RedisSharedState', 'RedisAgentMemory', 'RedisMailbox', 'RedisCircuitStateStore', 'RedisRateLimiter', 'RedisLease', 'WorkerPool', 'enqueueWorkflow']) {
      expect(names).toContain(api);
    }
  });
});
