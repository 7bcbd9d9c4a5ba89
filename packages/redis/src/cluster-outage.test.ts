// A master of a three-master Redis Cluster (no replicas) stopped mid-run: callers of its keys get
// RedisUnavailableError within the documented time, keys on the other masters keep working, and
// everything recovers once it is back (restarted with the same nodes.conf).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisConnection } from './connection.js';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { RedisCacheStore } from './redis-cache-store.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { startRedisCluster, type RedisClusterHandle } from './test-support/redis-cluster.js';
import type { RedisServerHandle } from './test-support/redis-server.js';
import { runRedisSuites } from './test-support/redis-server.js';

const commandTimeoutMs = 500;
// The README's bound: the command timeout for a node that is frozen (connected, silent), about
// maxRedirections x retryDelayOnFailover (600 ms) for one that refuses connections; one second of margin.
const boundMs = commandTimeoutMs + 1_000;
const entry = { value: 'v', storedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER, staleUntil: Number.MAX_SAFE_INTEGER };

describe.skipIf(!runRedisSuites)('Redis Cluster with a master down', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  /** Two cache namespaces whose keys live on different masters, and the master of the first. */
  async function splitNamespaces(): Promise<{ down: string; up: string; downNode: RedisServerHandle }> {
    const owners = new Map<number, string>();
    for (let index = 0; owners.size < 2; index++) {
      const namespace = `ns${index}`;
      const node = await cluster.nodeFor(`outage:cache:{${namespace}}:k`);
      if (!owners.has(node.port)) owners.set(node.port, namespace);
    }
    const [[downPort, down], [, up]] = [...owners.entries()] as [[number, string], [number, string]];
    return { down, up, downNode: cluster.nodes.find((node) => node.port === downPort)! };
  }

  async function timed(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
    const started = performance.now();
    const error = await call().then(() => undefined, (failure: unknown) => failure);
    return { ms: performance.now() - started, error };
  }

  for (const stop of ['frozen (SIGSTOP)', 'killed (SIGKILL, restarted with its nodes.conf)'] as const) {
    it(`fails calls on the keys of a ${stop} master with RedisUnavailableError in time, serves the other masters, and recovers`, async () => {
      const client = createRedisConnection({ cluster: cluster.urls, commandTimeoutMs });
      const { down, up, downNode } = await splitNamespaces();
      const onDown = new RedisCacheStore({ connection: client, prefix: 'outage:', namespace: down });
      const onUp = new RedisCacheStore({ connection: client, prefix: 'outage:', namespace: up });
      try {
        await onDown.set('k', entry);
        await onUp.set('k', entry);
        if (stop === 'frozen (SIGSTOP)') downNode.freeze();
        else await downNode.crash();

        for (let attempt = 0; attempt < 3; attempt++) {
          const failed = await timed(() => onDown.get('k'));
          expect(RedisUnavailableError.isInstance(failed.error), String(failed.error)).toBe(true);
          expect(failed.ms).toBeLessThan(boundMs);
          const served = await timed(() => onUp.get('k'));
          expect(served.error).toBeUndefined();
          expect(served.ms).toBeLessThan(100);
        }

        if (stop === 'frozen (SIGSTOP)') downNode.thaw();
        else await downNode.restart();
        await cluster.waitUntilHealthy();
        // Back: the frozen master still holds its data; the killed one (no persistence) starts empty.
        await expect.poll(() => onDown.get('k').then(() => 'served', () => 'failing'), { timeout: 10_000, interval: 100 }).toBe('served');
        await onDown.set('k', entry);
        expect(await onDown.get('k')).toEqual(entry);
        expect(await onUp.get('k')).toEqual(entry);
      } finally {
        downNode.thaw();
        if (!downNode.running) await downNode.restart();
        await onDown.close();
        await onUp.close();
        client.disconnect();
      }
    });
  }

  it('keeps a rate limiter of another master admitting while one master is down', async () => {
    const client = createRedisConnection({ cluster: cluster.urls, commandTimeoutMs });
    const { down, up, downNode } = await splitNamespaces();
    // A limiter key and a cache namespace of the same text share a hash tag, so the same master.
    const limiter = new RedisRateLimiter({ connection: client, prefix: 'outage:', tokensPerInterval: 1_000, intervalMs: 1_000 });
    try {
      downNode.freeze();
      const failed = await timed(() => limiter.acquire(down, 1));
      expect(RedisUnavailableError.isInstance(failed.error)).toBe(true);
      expect(failed.ms).toBeLessThan(boundMs);
      expect((await limiter.acquire(up, 1)).granted).toBe(true);
    } finally {
      downNode.thaw();
      await limiter.close();
      client.disconnect();
    }
  });
});
