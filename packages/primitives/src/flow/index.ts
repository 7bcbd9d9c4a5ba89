// Flow-control and performance primitives: cache, bulkhead, rate limit, hedge, batch, stream, filter, validate.
export { CachePrimitive, cache } from './cache-primitive.js';
export type { CacheOptions, CacheStats } from './cache-primitive.js';
export type { CacheStore, CacheEntry, CacheLease } from './cache-store.js';
export { InMemoryCacheStore } from './in-memory-cache-store.js';
export type { InMemoryCacheStoreOptions } from './in-memory-cache-store.js';

export { BulkheadPrimitive, bulkhead } from './bulkhead-primitive.js';
export type { BulkheadOptions, BulkheadStats } from './bulkhead-primitive.js';

export { RateLimitPrimitive, rateLimit } from './rate-limit-primitive.js';
export type { RateLimitOptions } from './rate-limit-primitive.js';
export type { RateLimiter, RateLimitDecision } from './rate-limiter.js';
export { TokenBucketLimiter } from './token-bucket-limiter.js';
export type { TokenBucketLimiterOptions } from './token-bucket-limiter.js';

export { HedgePrimitive, hedge } from './hedge-primitive.js';
export type { HedgeOptions } from './hedge-primitive.js';

export { BatchPrimitive, batch } from './batch-primitive.js';
export type { BatchOptions } from './batch-primitive.js';

export { StreamPrimitive, stream } from './stream-primitive.js';
export type { StreamMapOptions } from './stream-primitive.js';

export { FilterPrimitive, filter } from './filter-primitive.js';
export type { FilterOptions } from './filter-primitive.js';

export { ValidatePrimitive, validate } from './validate-primitive.js';
export type { StandardSchemaV1 } from './standard-schema.js';

// Errors of these primitives
export { BulkheadRejectedError } from '../errors/bulkhead-rejected-error.js';
export { RateLimitExceededError } from '../errors/rate-limit-exceeded-error.js';
export { ValidationError } from '../errors/validation-error.js';
export type { ValidationErrorOptions } from '../errors/validation-error.js';
export type { ValidationIssue } from '../errors/validation-error.js';
export { FilterRejectedError } from '../errors/filter-rejected-error.js';
export { InvalidInputError } from '../errors/invalid-input-error.js';
export { UnkeyableInputError } from '../errors/unkeyable-input-error.js';
