import type { CacheStore, CircuitStateStore, RateLimiter } from '@tta/primitives';
import { createRedisConnection, RedisCacheStore, RedisCircuitStateStore, RedisRateLimiter } from '@tta/redis';
import type { Answer } from './answer-workflow.js';
import type { ServiceConfig } from './service-config.js';

/** Where the service keeps what its instances share; every store `undefined` means "in this process". */
export interface SharedStores {
  /** Answers, shared by every instance (with a lease per missed question: one model call for all). */
  readonly cacheStore?: CacheStore<Answer>;
  /** The primary model's circuit state, shared by every instance's breaker. */
  readonly circuitStateStore?: CircuitStateStore;
  /** One rate budget for every instance. */
  readonly rateLimiter?: RateLimiter;
  /** `'memory'`, `'redis'` or `'redis-cluster'`, for the start-up log line. */
  readonly kind: 'memory' | 'redis' | 'redis-cluster';
  /** Closes the Redis connection (when there is one). */
  close(): Promise<void>;
}

/**
 * The stores of the service's cache, circuit breaker and rate limit: in Redis when `REDIS_URL` or
 * `REDIS_CLUSTER_NODES` is set (one connection shared by the three), in this process otherwise.
 */
export function createSharedStores(config: ServiceConfig): SharedStores {
  const redis = config.redis;
  if (redis === undefined) return { kind: 'memory', close: async () => {} };
  const connection = createRedisConnection('url' in redis ? { url: redis.url } : { cluster: redis.cluster });
  const prefix = config.redisPrefix;
  return {
    kind: 'url' in redis ? 'redis' : 'redis-cluster',
    cacheStore: new RedisCacheStore<Answer>({ connection, prefix, namespace: 'answers' }),
    circuitStateStore: new RedisCircuitStateStore({ connection, prefix }),
    ...(config.rateLimitPerSecond > 0 ? { rateLimiter: new RedisRateLimiter({ connection, prefix, tokensPerInterval: config.rateLimitPerSecond, intervalMs: 1_000, burst: config.rateLimitBurst }) } : {}),
    async close() {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
