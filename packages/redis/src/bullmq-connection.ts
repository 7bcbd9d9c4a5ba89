import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { toIoredisOptions, type RedisConnection } from './connection.js';

/**
 * @internal Connection for BullMQ parts that block (workers, queue events): they need
 * `maxRetriesPerRequest: null` and no command timeout, or a blocking pop would fail by design.
 * They get their own connections, copied from the given client's options when one is given.
 */
export function blockingConnection(connection: RedisConnection | undefined): ConnectionOptions {
  const base: RedisOptions = connection instanceof Redis || isClient(connection) ? { ...(connection as Redis).options } : toIoredisOptions(connection ?? {});
  delete base.commandTimeout;
  // ioredis and BullMQ spell the same options with slightly different optional-property types.
  return { ...base, maxRetriesPerRequest: null, lazyConnect: false } as ConnectionOptions;
}

/**
 * @internal Connection for BullMQ producers (queues): an existing client is shared as it is; otherwise a
 * fail-fast one, so that adding a job while Redis is down fails within the command timeout.
 */
export function producerConnection(connection: RedisConnection | undefined): ConnectionOptions {
  if (connection instanceof Redis || isClient(connection)) return connection as unknown as ConnectionOptions;
  return toIoredisOptions(connection ?? {}) as ConnectionOptions;
}

function isClient(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { duplicate?: unknown }).duplicate === 'function' && 'options' in value;
}
