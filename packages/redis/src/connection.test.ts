import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { Cluster } from 'ioredis';
import { createRedisConnection, toIoredisClusterOptions, toIoredisOptions, validatePrefix } from './connection.js';
import { blockingConnection } from './bullmq-connection.js';
import { RedisCacheStore } from './redis-cache-store.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe('toIoredisOptions', () => {
  it('bounds connect and command times and retries by default', () => {
    const options = toIoredisOptions();
    expect(options).toMatchObject({ host: '127.0.0.1', port: 6379, connectTimeout: 2_000, commandTimeout: 2_000, maxRetriesPerRequest: 1 });
    expect(options.retryStrategy?.(1)).toBe(50);
    expect(options.retryStrategy?.(30)).toBe(1_000);
  });

  it('reads host, port, credentials, database and TLS from a URL, letting explicit fields win', () => {
    expect(toIoredisOptions({ url: 'rediss://user:p%40ss@cache.internal:6380/2' })).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
    });
    expect(toIoredisOptions({ url: 'redis://cache.internal:6380', port: 7000 })).toMatchObject({ host: 'cache.internal', port: 7000 });
    expect(toIoredisOptions({ url: 'redis://cache.internal' }).tls).toBeUndefined();
  });

  it('turns the command timeout off with 0 and lets raw ioredis options override', () => {
    expect(toIoredisOptions({ commandTimeoutMs: 0 }).commandTimeout).toBeUndefined();
    expect(toIoredisOptions({ redisOptions: { family: 6 } }).family).toBe(6);
  });

  it('refuses bad options at once, naming the option', () => {
    expect(() => toIoredisOptions({ commandTimeoutMs: -1 })).toThrow(/commandTimeoutMs/);
    expect(() => toIoredisOptions({ port: 70_000 })).toThrow(InvalidOptionsError);
    expect(() => toIoredisOptions({ url: 'http://example.com' })).toThrow(/redis:\/\//);
    expect(() => toIoredisOptions({ url: 'redis://host/x' })).toThrow(/database/);
  });

  it('gives BullMQ workers connections that may block: no per-request retry limit, no command timeout', () => {
    const options = blockingConnection({ port: 6390, commandTimeoutMs: 500 }) as Record<string, unknown>;
    expect(options).toMatchObject({ port: 6390, maxRetriesPerRequest: null });
    expect(options.commandTimeout).toBeUndefined();
  });
});

describe('toIoredisClusterOptions', () => {
  it('gives every node of a cluster the fail-fast bounds, with credentials and TLS from the first URL', () => {
    const [nodes, options] = toIoredisClusterOptions({ cluster: ['rediss://app:s%40cret@10.0.0.1:7000', 'redis://10.0.0.2'], commandTimeoutMs: 750 });
    expect(nodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 6379 },
    ]);
    expect(options.redisOptions).toMatchObject({ commandTimeout: 750, connectTimeout: 2_000, maxRetriesPerRequest: 1, username: 'app', password: 's@cret', tls: {} });
    expect(options.redisOptions).not.toHaveProperty('host');
    expect(options.redisOptions).not.toHaveProperty('port');
    expect(options.clusterRetryStrategy?.(30)).toBe(1_000);
    expect(options).toMatchObject({ maxRedirections: 6, retryDelayOnFailover: 100 });
  });

  it('lets explicit fields and the escape hatches win', () => {
    const [, options] = toIoredisClusterOptions({ cluster: ['redis://u:p@h:1'], password: 'other', redisOptions: { family: 6 }, clusterOptions: { maxRedirections: 2 } });
    expect(options.redisOptions).toMatchObject({ password: 'other', family: 6 });
    expect(options.maxRedirections).toBe(2);
  });

  it('refuses an empty or non-URL node list, a database number and unknown options, naming the option', () => {
    expect(() => toIoredisClusterOptions({ cluster: [] })).toThrow(/cluster.*non-empty array/);
    expect(() => toIoredisClusterOptions({ cluster: 'redis://h:1' as never })).toThrow(InvalidOptionsError);
    expect(() => toIoredisClusterOptions({ cluster: [42 as never] })).toThrow(/cluster.*redis:\/\/ URLs/);
    expect(() => toIoredisClusterOptions({ cluster: ['http://h:1'] })).toThrow(/redis:\/\//);
    expect(() => toIoredisClusterOptions({ cluster: ['redis://h:1/3'] })).toThrow(/only database 0/);
    expect(() => toIoredisClusterOptions({ cluster: ['redis://h:1'], port: 1 } as never)).toThrow(/port/);
    expect(() => toIoredisClusterOptions({ cluster: ['redis://h:1'], commandTimeoutMs: -1 })).toThrow(/commandTimeoutMs/);
  });

  it('makes a store own a Cluster client built from { cluster } options, and leaves a given Cluster client alone', async () => {
    const owning = new RedisCacheStore({ connection: { cluster: ['redis://127.0.0.1:1'] } });
    expect((owning as unknown as { client: { isCluster?: boolean } }).client.isCluster).toBe(true);
    await owning.close();
    const given = createRedisConnection({ cluster: ['redis://127.0.0.1:1'] });
    expect(given).toBeInstanceOf(Cluster);
    const borrowing = new RedisCacheStore({ connection: given });
    await borrowing.close();
    expect(given.status).not.toBe('end');
    given.disconnect();
  });
});

describe('validatePrefix', () => {
  it('defaults to "tta:" and refuses glob characters', () => {
    expect(validatePrefix('X', undefined)).toBe('tta:');
    expect(validatePrefix('X', 'app:')).toBe('app:');
    expect(() => validatePrefix('X', 'a*')).toThrow(InvalidOptionsError);
    expect(() => validatePrefix('X', 42)).toThrow(/string/);
  });

  it('refuses braces, so the hash tag of every key is the one the key layout adds', () => {
    expect(() => validatePrefix('X', '{app}:')).toThrow(/braces/);
    expect(() => validatePrefix('X', 'app}')).toThrow(InvalidOptionsError);
  });
});

describe.skipIf(!runRedisSuites)('connections on a real server', () => {
  const redis = useRedisServer();

  it('copies the options of a given client for BullMQ workers, made blocking-safe', async () => {
    const client = createRedisConnection({ port: redis.server.port, commandTimeoutMs: 700 });
    const options = blockingConnection(client) as Record<string, unknown>;
    expect(options).toMatchObject({ port: redis.server.port, maxRetriesPerRequest: null });
    expect(options.commandTimeout).toBeUndefined();
    expect(client.options.commandTimeout).toBe(700);
    client.disconnect();
  });

  it('never closes a client it was given, and closes one it created', async () => {
    const borrowed = createRedisConnection({ port: redis.server.port });
    const store = new RedisCacheStore({ connection: borrowed });
    await store.close();
    expect(await borrowed.ping()).toBe('PONG');
    borrowed.disconnect();

    const owning = new RedisCacheStore({ connection: { port: redis.server.port } });
    await owning.set('k', { value: 1, storedAt: 0, expiresAt: 1_000, staleUntil: 1_000 });
    const before = Number((await redis.client.info('clients')).match(/connected_clients:(\d+)/)?.[1]);
    await owning.close();
    await expect.poll(async () => Number((await redis.client.info('clients')).match(/connected_clients:(\d+)/)?.[1])).toBe(before - 1);
  });
  it('rejects a command whose connection dropped mid-call instead of sending it again on the new connection', async () => {
    const client = createRedisConnection({ port: redis.server.port, commandTimeoutMs: 5_000, maxReconnectDelayMs: 50 });
    await client.set('resend:count', '0');
    const id = await client.client('ID');
    // The write reaches the server and waits there; the connection is then cut before it runs.
    await redis.client.call('CLIENT', 'PAUSE', '2000', 'WRITE');
    try {
      const pending = client.incr('resend:count').then(() => 'resolved', (error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await redis.client.call('CLIENT', 'KILL', 'ID', String(id));
      // Sent again after the reconnect, the INCR would run once the pause ends and the call resolve.
      expect(await pending).toBeInstanceOf(Error);
    } finally {
      await redis.client.call('CLIENT', 'UNPAUSE');
    }
    expect(await client.get('resend:count')).toBe('0');
    client.disconnect();
  });
});
