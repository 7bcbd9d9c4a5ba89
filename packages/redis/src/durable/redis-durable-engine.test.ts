import { describe } from 'vitest';
import { describeDurableEngineContract } from '@tta/durable/testing';
import { runRedisSuites } from '../test-support/redis-server.js';
import { useRedisServer } from '../test-support/use-redis.js';
import { RedisRunStore } from './index.js';

describe.skipIf(!runRedisSuites)('durable() on RedisRunStore', () => {
  const redis = useRedisServer();
  describeDurableEngineContract(
    'RedisRunStore',
    async () => new RedisRunStore({ connection: redis.client, prefix: redis.uniquePrefix('engine') }),
    async (store) => (store as RedisRunStore).close(),
  );
});
