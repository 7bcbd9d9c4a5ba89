// @tta/redis/durable: where durable runs (@tta/durable) are kept in Redis.
export { RedisRunStore } from './redis-run-store.js';
export type { RedisRunStoreOptions } from './redis-run-store.js';
