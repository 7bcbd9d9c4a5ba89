import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { createRedisConnection, isClusterClient, isClusterOptions, toIoredisClusterOptions, toIoredisOptions, type RedisClient, type RedisConnection, type RedisConnectionOptions } from './connection.js';

/**
 * @internal Connection for BullMQ parts that block (workers, queue events): they need
 * `maxRetriesPerRequest: null` and no command timeout, or a blocking pop would fail by design.
 * They get their own connections, copied from the given client's options when one is given. For a
 * cluster this is a lazy `Cluster` that never connects itself: BullMQ duplicates a blocking client
 * (and closes its duplicates), so the template costs no connection.
 */
export function blockingConnection(connection: RedisConnection | undefined): ConnectionOptions {
  const cluster = blockingCluster(connection, { lazyConnect: true });
  if (cluster !== undefined) return cluster as unknown as ConnectionOptions;
  const base: RedisOptions = connection instanceof Redis || isClient(connection) ? { ...(connection as Redis).options } : toIoredisOptions((connection ?? {}) as RedisConnectionOptions);
  delete base.commandTimeout;
  // ioredis and BullMQ spell the same options with slightly different optional-property types.
  return { ...base, maxRetriesPerRequest: null, lazyConnect: false } as ConnectionOptions;
}

/**
 * @internal A blocking-safe client of the caller's own (close it when done): a `Redis` for one server, a
 * `Cluster` for a cluster client or `{ cluster }` options.
 */
export function blockingClient(connection: RedisConnection | undefined): RedisClient {
  const client = blockingCluster(connection, {}) ?? new Redis(blockingConnection(connection) as RedisOptions);
  client.on('error', () => {});
  return client;
}

function blockingCluster(connection: RedisConnection | undefined, extra: { readonly lazyConnect?: boolean }): Cluster | undefined {
  const blocking = (options: RedisOptions): RedisOptions => {
    const { commandTimeout: _commandTimeout, ...rest } = options;
    return { ...rest, maxRetriesPerRequest: null, ...extra };
  };
  if (connection !== undefined && isClient(connection) && isClusterClient(connection as RedisClient)) {
    const cluster = connection as Cluster;
    return cluster.duplicate(undefined, { ...extra, redisOptions: blocking(cluster.options.redisOptions ?? {}) });
  }
  if (!isClusterOptions(connection)) return undefined;
  const [nodes, options] = toIoredisClusterOptions(connection);
  return new Cluster(nodes, { ...options, ...extra, redisOptions: blocking(options.redisOptions ?? {}) });
}

/**
 * @internal Connection for BullMQ producers (queues): an existing client is shared as it is; otherwise a
 * fail-fast one, so that adding a job while Redis is down fails within the command timeout. With
 * `{ cluster }` options the result is a new `Cluster` the caller owns (`owned`): BullMQ would
 * build a single-server client from options.
 */
export function producerConnection(connection: RedisConnection | undefined): { readonly connection: ConnectionOptions; readonly owned?: RedisClient } {
  if (connection instanceof Redis || connection instanceof Cluster || isClient(connection)) return { connection: connection as unknown as ConnectionOptions };
  if (isClusterOptions(connection)) {
    const owned = createRedisConnection(connection);
    return { connection: owned as unknown as ConnectionOptions, owned };
  }
  return { connection: toIoredisOptions((connection ?? {}) as RedisConnectionOptions) as ConnectionOptions };
}

function isClient(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { duplicate?: unknown }).duplicate === 'function' && 'options' in value;
}
