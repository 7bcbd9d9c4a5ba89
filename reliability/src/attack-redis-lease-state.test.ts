// Attack: two holders of one lease, and shared-state keys that outlive their data (issue 14, items
// 5 and 6). The lease holder reaches Redis through a TCP proxy that stops forwarding while the
// server keeps running, so the holder's extensions hang while its lease expires and a rival on a
// direct connection takes it: the holder's work must be aborted before the rival holds the lease,
// with the default command timeout and with none. Then hundreds of shared-state scopes that once
// held an entry without TTL must leave no key behind once their entries expired.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { LeaseLostError, RedisLease, RedisSharedState, createRedisConnection } from '@tta/redis';
import type { StateChange } from '@tta/agent-context';
import { startStallingProxy } from '../../packages/redis/src/test-support/stalling-proxy.js';
import { record } from './figures.js';
import { assertRedisLive } from '../../packages/redis/src/test-support/redis-liveness.js';
import { redisChecksRun, useRedisServer } from './support/redis-server.js';

const runRedis = redisChecksRun();

describe.skipIf(!runRedis)('attack: Redis lease and shared state (issue 14, items 5 and 6)', () => {
  const redis = useRedisServer();
  // Liveness without SCRIPT KILL: whatever a test did, the server still answers at once.
  afterEach(() => assertRedisLive(redis.server.port, { probes: 1 }));

  const stalledHolder = async (name: string, commandTimeoutMs: number | undefined, ttlMs: number) => {
    const proxy = await startStallingProxy(redis.server.port);
    const holderClient = createRedisConnection({ host: proxy.host, port: proxy.port, ...(commandTimeoutMs === undefined ? {} : { commandTimeoutMs }) });
    const holder = new RedisLease({ connection: holderClient, prefix: `${name}:`, resource: 'reindex', ttlMs });
    const rival = new RedisLease({ connection: redis.admin, prefix: `${name}:`, resource: 'reindex', retryDelayMs: 5 });
    let abortedAt = Infinity;
    let reason: unknown;
    const running = holder.runExclusive(async (signal) => {
      signal.addEventListener('abort', () => {
        abortedAt = performance.now();
        reason = signal.reason;
      }, { once: true });
      // Work that checks its signal between steps, as the docs ask (bounded: 10 s at most).
      for (let tick = 0; tick < 1_000 && !signal.aborted; tick++) await new Promise((resolve) => setTimeout(resolve, 10));
    });
    try {
      for (let poll = 0; poll < 200 && (await redis.admin.exists(holder.key)) === 0; poll++) await new Promise((resolve) => setTimeout(resolve, 5));
      proxy.stall();
      const stalledAt = performance.now();
      await rival.acquire({ waitMs: 10_000 });
      const rivalAt = performance.now();
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, ttlMs * 3).unref())]);
      return { abortedAfterMs: abortedAt - stalledAt, rivalAfterMs: rivalAt - stalledAt, reason };
    } finally {
      await proxy.close();
      holderClient.disconnect();
    }
  };

  it('aborts a holder whose extensions stall before a rival holds the lease (default command timeout, ttl 1.5 s)', async () => {
    const outcome = await stalledHolder('stall-default', undefined, 1_500);
    record('leaseStallDefaultTimeoutAbortMs', Math.round(outcome.abortedAfterMs));
    record('leaseStallDefaultTimeoutRivalMs', Math.round(outcome.rivalAfterMs));
    expect(LeaseLostError.isInstance(outcome.reason)).toBe(true);
    expect(outcome.abortedAfterMs).toBeLessThanOrEqual(outcome.rivalAfterMs);
  });

  it('aborts a holder whose extensions stall even with commandTimeoutMs: 0 (ttl 600 ms)', async () => {
    const outcome = await stalledHolder('stall-no-timeout', 0, 600);
    record('leaseStallNoTimeoutAbortMs', Math.round(outcome.abortedAfterMs));
    record('leaseStallNoTimeoutRivalMs', Math.round(outcome.rivalAfterMs));
    expect(LeaseLostError.isInstance(outcome.reason)).toBe(true);
    expect(outcome.abortedAfterMs).toBeLessThanOrEqual(outcome.rivalAfterMs);
  });

  it('refuses extend(token, 0) and extend(token, -5), and the lease stays held', async () => {
    const lease = new RedisLease({ connection: redis.admin, prefix: 'extend-zero:', resource: 'r' });
    const token = (await lease.tryAcquire())!;
    for (const ttlMs of [0, -5]) await expect(lease.extend(token, ttlMs)).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(await lease.isHeld(token)).toBe(true);
    expect(await redis.admin.pttl(lease.key)).toBeGreaterThan(29_000);
  });

  it('leaves no key behind for 400 scopes that once held an entry without TTL, once their entries expired', async () => {
    const prefix = 'scopes:';
    const state = new RedisSharedState({ connection: redis.admin, prefix, expiryGraceMs: 0 });
    try {
      for (let index = 0; index < 400; index++) {
        const scopeId = `run-${index}`;
        if (index % 2 === 0) {
          // An entry without TTL, overwritten with one.
          await state.set({ scope: 'workflow', scopeId, key: 'plan' }, index);
          await state.set({ scope: 'workflow', scopeId, key: 'plan' }, index, { ttlMs: 200 });
        } else {
          // An entry without TTL, deleted, next to one with a TTL.
          await state.set({ scope: 'workflow', scopeId, key: 'pinned' }, index);
          await state.set({ scope: 'workflow', scopeId, key: 'plan' }, index, { ttlMs: 200 });
          await state.delete({ scope: 'workflow', scopeId, key: 'pinned' });
        }
      }
      let left = (await redis.admin.keys(`${prefix}*`)).length;
      for (let poll = 0; poll < 100 && left > 0; poll++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        left = (await redis.admin.keys(`${prefix}*`)).length;
      }
      record('sharedStateKeysLeftAfter400ScopesExpired', left);
      expect(left).toBe(0);
    } finally {
      await state.close();
    }
  });

  it('refuses a TTL of 1e17 ms before writing: no key, no change published; 2^53 - 1 ms is kept', async () => {
    const prefix = 'huge-ttl:';
    const state = new RedisSharedState({ connection: redis.admin, prefix });
    const changes: StateChange[] = [];
    const subscription = await state.subscribe({ scope: 'global' }, (change) => changes.push(change));
    try {
      const address = { scope: 'global', scopeId: '', key: 'k' } as const;
      await expect(state.set(address, 1, { ttlMs: 1e17 })).rejects.toBeInstanceOf(InvalidInputError);
      expect(await redis.admin.keys(`${prefix}*`)).toEqual([]);
      const entry = await state.set(address, 2, { ttlMs: Number.MAX_SAFE_INTEGER });
      expect(entry.version).toBe(1);
      for (let poll = 0; poll < 100 && changes.length === 0; poll++) await new Promise((resolve) => setTimeout(resolve, 10));
      // The first change seen is the accepted write: the refused one published nothing.
      expect(changes.map((change) => change.entry?.value)).toEqual([2]);
      for (const key of await redis.admin.keys(`${prefix}*`)) expect(await redis.admin.pttl(key)).toBeGreaterThan(2 ** 52);
    } finally {
      subscription.dispose();
      await state.close();
    }
  });
});
