// Vitest wiring for suites that need a real Redis: one server per test file, or, with
// TTA_REDIS_TOPOLOGY=cluster (the `redis-cluster` vitest project), one three-master Redis Cluster
// per test file, so that the same store suites run on both.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createRedisConnection, type RedisClient, type RedisClusterConnectionOptions, type RedisConnectionOptions } from '../connection.js';
import { scanKeys } from '../scan.js';
import { assertRedisLive } from './redis-liveness.js';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';
import { startRedisServer, type RedisServerHandle, type RedisServerOptions } from './redis-server.js';

/**
 * True when the Redis suites run on a three-master Redis Cluster (`TTA_REDIS_TOPOLOGY=cluster`). A
 * test of one server's own behaviour (CLIENT PAUSE, DEBUG, stopping "the" server) skips itself there.
 */
export const onRedisCluster = process.env.TTA_REDIS_TOPOLOGY === 'cluster';

/** What {@link useRedisServer} gives the tests (valid inside tests and hooks). */
export interface RedisTestEnvironment {
  /** The one server (not available on a cluster: see {@link onRedisCluster}). */
  readonly server: RedisServerHandle;
  /** The cluster, when the suite runs on one. */
  readonly cluster: RedisClusterHandle | undefined;
  /** A client on the server (a `Cluster` client on a cluster), closed after the file. */
  readonly client: RedisClient;
  /** Connection options for the server or cluster (for stores that create their own client). */
  readonly connection: RedisConnectionOptions | RedisClusterConnectionOptions;
  /** A prefix no other test uses, ending in ':'. */
  uniquePrefix(name?: string): string;
  /** Every key that starts with `prefix` (SCAN). */
  keysWithPrefix(prefix: string): Promise<string[]>;
}

let counter = 0;

/** Starts a redis-server before the file's tests and stops it after. */
export function useRedisServer(options: RedisServerOptions = {}): RedisTestEnvironment {
  let server: RedisServerHandle | undefined;
  let cluster: RedisClusterHandle | undefined;
  let client: RedisClient | undefined;
  beforeAll(async () => {
    if (onRedisCluster) {
      cluster = await startRedisCluster();
      client = createRedisConnection({ cluster: cluster.urls });
    } else {
      server = await startRedisServer(options);
      client = createRedisConnection({ port: server.port });
    }
  });
  // Liveness without SCRIPT KILL: a test that leaves the server wedged fails itself. A server the
  // test stopped on purpose is that test's business.
  afterEach(async () => {
    for (const node of cluster?.nodes ?? (server === undefined ? [] : [server])) {
      if (node.running) await assertRedisLive(node.port, { withinMs: 100 });
    }
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.dispose();
    await cluster?.dispose();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useRedisServer: the server is not started (beforeAll failed?)');
    return value;
  };
  return {
    get server() {
      if (onRedisCluster) throw new Error('useRedisServer: this suite runs on a Redis Cluster; a test of one server skips itself with onRedisCluster');
      return need(server);
    },
    get cluster() {
      return cluster;
    },
    get client() {
      return need(client);
    },
    get connection() {
      if (onRedisCluster) return { cluster: need(cluster).urls };
      return { host: '127.0.0.1', port: need(server).port };
    },
    uniquePrefix(name = 't') {
      return `test-${name}-${process.pid}-${++counter}:`;
    },
    keysWithPrefix(prefix) {
      return scanKeys(need(client), `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
    },
  };
}
