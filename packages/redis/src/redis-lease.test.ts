import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { RedisLease } from './redis-lease.js';
import { LeaseLostError } from './errors/lease-lost-error.js';
import { LeaseTimeoutError } from './errors/lease-timeout-error.js';
import { createRedisConnection } from './connection.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { startStallingProxy } from './test-support/stalling-proxy.js';
import { onRedisCluster, useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisLease', () => {
  const redis = useRedisServer();
  const pair = (options: { ttlMs?: number; retryDelayMs?: number } = {}) => {
    const prefix = redis.uniquePrefix('lease');
    return [0, 1].map(() => new RedisLease({ connection: redis.connection, prefix, resource: 'reindex', retryDelayMs: 5, ...options })) as [RedisLease, RedisLease];
  };

  it('has one holder at a time across connections; release frees it for the next', async () => {
    const [left, right] = pair();
    const attempts = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? left : right).tryAcquire()));
    const tokens = attempts.filter((token): token is string => token !== undefined);
    expect(tokens).toHaveLength(1);
    expect(await right.isHeld(tokens[0]!)).toBe(true);
    expect(await right.tryAcquire()).toBeUndefined();
    expect(await left.release(tokens[0]!)).toBe(true);
    expect(await right.tryAcquire()).toBeDefined();
    await Promise.all([left.close(), right.close()]);
  });

  it('refuses to release or extend with a token that does not hold the lease', async () => {
    const [left, right] = pair();
    const token = (await left.tryAcquire())!;
    expect(await right.release('not-the-token')).toBe(false);
    expect(await right.extend('not-the-token', 60_000)).toBe(false);
    expect(await left.isHeld(token)).toBe(true);
    await Promise.all([left.close(), right.close()]);
  });

  it('expires after ttlMs unless extended, and a stale holder cannot free the new one', async () => {
    const [left, right] = pair({ ttlMs: 60 });
    const first = (await left.tryAcquire())!;
    expect(await left.extend(first, 60_000)).toBe(true);
    expect(await redis.client.pttl(left.key)).toBeGreaterThan(59_000);
    expect(await left.extend(first, 40)).toBe(true);
    const second = await right.acquire({ waitMs: 5_000 });
    expect(await left.release(first)).toBe(false);
    expect(await right.isHeld(second)).toBe(true);
    await Promise.all([left.close(), right.close()]);
  });

  it('gives up at waitMs even when the retry delay is longer than the wait (2^31 + 1 ms)', async () => {
    const [left, right] = pair({ retryDelayMs: 2 ** 31 + 1 });
    await left.tryAcquire();
    const started = performance.now();
    const outcome = await Promise.race([
      right.acquire({ waitMs: 50 }).catch((caught: unknown) => caught),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000).unref()),
    ]);
    expect(LeaseTimeoutError.isInstance(outcome)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    await Promise.all([left.close(), right.close()]);
  });

  it('gives up waiting with LeaseTimeoutError, or with the signal reason', async () => {
    const [left, right] = pair();
    await left.tryAcquire();
    const timeout = await right.acquire({ waitMs: 30 }).catch((caught: unknown) => caught);
    expect(LeaseTimeoutError.isInstance(timeout)).toBe(true);
    expect(timeout).toMatchObject({ code: 'LEASE_TIMEOUT', resource: 'reindex' });
    const reason = new Error('shutting down');
    const controller = new AbortController();
    const waiting = right.acquire({ waitMs: 60_000, signal: controller.signal });
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await Promise.all([left.close(), right.close()]);
  });

  it('runs work exclusively and releases the lease after', async () => {
    const [left, right] = pair({ ttlMs: 10_000 });
    let overlapping = 0;
    let running = 0;
    const work = async () => {
      running++;
      overlapping = Math.max(overlapping, running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running--;
      return 'done';
    };
    const results = await Promise.all([left.runExclusive(work), right.runExclusive(work, { waitMs: 5_000 })]);
    expect(results).toEqual(['done', 'done']);
    expect(overlapping).toBe(1);
    expect(await redis.client.exists(left.key)).toBe(0);
    await Promise.all([left.close(), right.close()]);
  });

  it('extends the lease every ttlMs / 3 while the work runs', async () => {
    const clock = new ManualClock(0);
    const lease = new RedisLease({ connection: redis.client, prefix: redis.uniquePrefix('renew'), resource: 'job', ttlMs: 30_000, clock });
    let finish!: () => void;
    const running = lease.runExclusive(() => new Promise<void>((resolve) => (finish = resolve)));
    await expect.poll(() => redis.client.exists(lease.key)).toBe(1);
    await redis.client.pexpire(lease.key, 5_000);
    await clock.tickAsync(10_000);
    await expect.poll(() => redis.client.pttl(lease.key)).toBeGreaterThan(29_000);
    finish();
    await running;
    expect(await redis.client.exists(lease.key)).toBe(0);
  });

  it('aborts the work with LeaseLostError when the lease is taken away', async () => {
    const clock = new ManualClock(0);
    const prefix = redis.uniquePrefix('lost');
    const lease = new RedisLease({ connection: redis.client, prefix, resource: 'job', ttlMs: 3_000, clock });
    let seen: unknown;
    const running = lease.runExclusive(
      (signal) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => {
            seen = signal.reason;
            resolve('stopped');
          }, { once: true });
        }),
    );
    await expect.poll(() => redis.client.exists(lease.key)).toBe(1);
    await redis.client.set(lease.key, 'somebody-else');
    await clock.tickAsync(1_000);
    expect(await running).toBe('stopped');
    expect(LeaseLostError.isInstance(seen)).toBe(true);
    expect(await redis.client.get(lease.key)).toBe('somebody-else');
  });

  // The holder reaches Redis through a proxy that stops forwarding; its rival connects directly.
  const stalledHolder = async (commandTimeoutMs: number, ttlMs: number) => {
    const proxy = await startStallingProxy(redis.server.port);
    const holderClient = createRedisConnection({ host: proxy.host, port: proxy.port, commandTimeoutMs });
    const prefix = redis.uniquePrefix('stall');
    const holder = new RedisLease({ connection: holderClient, prefix, resource: 'job', ttlMs });
    const rival = new RedisLease({ connection: redis.client, prefix, resource: 'job', retryDelayMs: 5 });
    let abortedAt = Infinity;
    let reason: unknown;
    const running = holder.runExclusive(
      (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            abortedAt = performance.now();
            reason = signal.reason;
            resolve();
          }, { once: true });
        }),
    );
    await expect.poll(() => redis.client.exists(holder.key)).toBe(1);
    proxy.stall();
    const stalledAt = performance.now();
    await rival.acquire({ waitMs: 10_000 });
    const rivalAt = performance.now();
    // Bounded: on a holder that never notices, the test fails here instead of hanging.
    await Promise.race([running, new Promise((resolve) => setTimeout(resolve, ttlMs * 3).unref())]);
    await proxy.close();
    holderClient.disconnect();
    return { abortedAfterMs: abortedAt - stalledAt, rivalAfterMs: rivalAt - stalledAt, reason };
  };

  // One server's own behaviour (its URL, CLIENT PAUSE, a proxy in front of it): not run on a cluster.
  it.skipIf(onRedisCluster)('aborts the work when the lease expires while an extension is stalled, before a rival can hold it', async () => {
    const outcome = await stalledHolder(2_000, 900);
    expect(LeaseLostError.isInstance(outcome.reason)).toBe(true);
    expect(outcome.abortedAfterMs).toBeLessThanOrEqual(outcome.rivalAfterMs);
  });

  // One server's own behaviour (its URL, CLIENT PAUSE, a proxy in front of it): not run on a cluster.
  it.skipIf(onRedisCluster)('aborts the work at the lease expiry even without a command timeout (commandTimeoutMs: 0)', async () => {
    const outcome = await stalledHolder(0, 600);
    expect(LeaseLostError.isInstance(outcome.reason)).toBe(true);
    expect(outcome.abortedAfterMs).toBeLessThanOrEqual(outcome.rivalAfterMs);
    // Timer slack only: the abort is due at the expiry, less the clock-drift allowance.
    expect(outcome.abortedAfterMs).toBeLessThan(600 + 25);
  });

  it('refuses an extension of 0 or a negative length instead of deleting the lease', async () => {
    const [left] = pair();
    const token = (await left.tryAcquire())!;
    for (const ttlMs of [0, -5, Number.NaN]) {
      await expect(left.extend(token, ttlMs)).rejects.toBeInstanceOf(InvalidOptionsError);
    }
    expect(await left.isHeld(token)).toBe(true);
    await left.close();
  });

  it('refuses an acquire option it does not define instead of waiting the default', async () => {
    const lease = new RedisLease({ connection: redis.client, prefix: redis.uniquePrefix('acquire-typo'), resource: 'r' });
    const typo = lease.acquire({ timeoutMs: 5 } as never);
    await expect(typo).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(typo).rejects.toThrow('RedisLease.acquire: option "timeoutMs" is not an option of RedisLease.acquire (it takes signal, waitMs)');
    await expect(lease.runExclusive(async () => 1, { wait: 5 } as never)).rejects.toThrow('option "wait" is not an option');
    await lease.close();
  });

  it('refuses bad options at construction', () => {
    expect(() => new RedisLease({ connection: redis.client, resource: '' })).toThrow(InvalidOptionsError);
    expect(() => new RedisLease({ connection: redis.client, resource: 'r', ttlMs: 0 })).toThrow(/ttlMs/);
  });
});
