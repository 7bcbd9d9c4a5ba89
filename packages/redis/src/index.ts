// Connections and errors
export { createRedisConnection, toIoredisClusterOptions, toIoredisOptions } from './connection.js';
export type { RedisClient, RedisClusterConnectionOptions, RedisConnection, RedisConnectionOptions, RedisStoreOptions } from './connection.js';
export { RedisUnavailableError } from './errors/redis-unavailable-error.js';
export type { RedisUnavailableErrorOptions } from './errors/redis-unavailable-error.js';
export { LeaseTimeoutError } from './errors/lease-timeout-error.js';
export { LeaseLostError } from './errors/lease-lost-error.js';
export { HandoffLockLostError } from './errors/handoff-lock-lost-error.js';

// Stores for @tta/primitives
export { RedisCacheStore } from './redis-cache-store.js';
export type { RedisCacheStoreOptions } from './redis-cache-store.js';
export { RedisCircuitStateStore } from './redis-circuit-state-store.js';
export type { RedisCircuitStateStoreOptions } from './redis-circuit-state-store.js';
export { RedisRateLimiter } from './redis-rate-limiter.js';
export type { RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { RedisLease } from './redis-lease.js';
export type { RedisLeaseOptions, LeaseAcquireOptions } from './redis-lease.js';

// Stores for @tta/agent-context
export { RedisSharedState } from './redis-shared-state.js';
export type { RedisSharedStateOptions } from './redis-shared-state.js';
export { RedisAgentMemory } from './redis-agent-memory.js';
export type { RedisAgentMemoryOptions } from './redis-agent-memory.js';
export { RedisMailbox } from './redis-mailbox.js';
export type { RedisMailboxOptions } from './redis-mailbox.js';
export { RedisHandoffQueue } from './redis-handoff-queue.js';
export type { RedisHandoffQueueOptions } from './redis-handoff-queue.js';

// Work across processes (BullMQ)
export { WorkerPool } from './worker-pool.js';
export type { WorkerPoolOptions, WorkerPoolResumeOptions, WorkflowJobEvent, JobRetention } from './worker-pool.js';
export { enqueueWorkflow, createWorkflowQueue, createWorkflowQueueEvents } from './enqueue-workflow.js';
export type { WorkflowJobData, EnqueueWorkflowOptions, WorkflowQueueOptions } from './enqueue-workflow.js';
export { workflowQueueName } from './workflow-queue-name.js';
