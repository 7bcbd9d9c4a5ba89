import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, rateLimit, step, WorkflowContext } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisRateLimiter', () => {
  const redis = useRedisServer();

  it('grants a full burst, then refuses with the time until the next token', async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new RedisRateLimiter({ connection: redis.client, prefix: redis.uniquePrefix('burst'), tokensPerInterval: 5, intervalMs: 1_000, clock });
    for (let index = 0; index < 5; index++) expect(await limiter.acquire('api', 1)).toEqual({ granted: true, retryAfterMs: 0 });
    expect(await limiter.acquire('api', 1)).toEqual({ granted: false, retryAfterMs: 200 });
    expect(await limiter.acquire('api', 3)).toEqual({ granted: false, retryAfterMs: 600 });
  });

  it('works with an interval longer than Redis can count (1e300 ms): the wait is capped at 2^53 - 1', async () => {
    const limiter = new RedisRateLimiter({ connection: redis.client, prefix: redis.uniquePrefix('slow'), tokensPerInterval: 1, intervalMs: 1e300 });
    expect(await limiter.acquire('api', 1)).toEqual({ granted: true, retryAfterMs: 0 });
    expect(await limiter.acquire('api', 1)).toEqual({ granted: false, retryAfterMs: Number.MAX_SAFE_INTEGER });
  });

  it('refills continuously on the clock, never above the burst', async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new RedisRateLimiter({ connection: redis.client, prefix: redis.uniquePrefix('refill'), tokensPerInterval: 10, intervalMs: 1_000, burst: 2, clock });
    await limiter.acquire('k', 2);
    expect((await limiter.acquire('k', 1)).granted).toBe(false);
    clock.advance(100);
    expect((await limiter.acquire('k', 1)).granted).toBe(true);
    expect((await limiter.acquire('k', 1)).granted).toBe(false);
    clock.advance(60_000);
    expect((await limiter.acquire('k', 2)).granted).toBe(true);
    expect((await limiter.acquire('k', 1)).granted).toBe(false);
  });

  it('shares one budget between limiters on separate connections, and keeps keys apart', async () => {
    const prefix = redis.uniquePrefix('shared');
    const options = { prefix, tokensPerInterval: 10, intervalMs: 60_000 };
    const limiters = [0, 1, 2].map(() => new RedisRateLimiter({ connection: redis.connection, ...options }));
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, index) => limiters[index % 3]!.acquire('provider', 1)));
    expect(decisions.filter((decision) => decision.granted)).toHaveLength(10);
    expect((await limiters[0]!.acquire('other', 1)).granted).toBe(true);
    await limiters[1]!.reset('provider');
    expect((await limiters[2]!.acquire('provider', 10)).granted).toBe(true);
    expect((await redis.keysWithPrefix(prefix)).sort()).toEqual([`${prefix}ratelimit:{other}`, `${prefix}ratelimit:{provider}`]);
    await Promise.all(limiters.map((limiter) => limiter.close()));
  });

  it("uses the server's clock when given none", async () => {
    const limiter = new RedisRateLimiter({ connection: redis.client, prefix: redis.uniquePrefix('server'), tokensPerInterval: 1, intervalMs: 3_600_000 });
    expect((await limiter.acquire('k', 1)).granted).toBe(true);
    const refused = await limiter.acquire('k', 1);
    expect(refused.granted).toBe(false);
    expect(refused.retryAfterMs).toBeGreaterThan(3_590_000);
  });

  it('answers Infinity for more permits than the burst, and refuses bad options', async () => {
    const limiter = new RedisRateLimiter({ connection: redis.client, prefix: redis.uniquePrefix('big'), tokensPerInterval: 2, intervalMs: 1_000 });
    expect(await limiter.acquire('k', 3)).toEqual({ granted: false, retryAfterMs: Infinity });
    expect(() => new RedisRateLimiter({ connection: redis.client, tokensPerInterval: 0, intervalMs: 1_000 })).toThrow(InvalidOptionsError);
    expect(() => new RedisRateLimiter({ connection: redis.client, tokensPerInterval: 1, intervalMs: 1_000, burst: 0.5 })).toThrow(/burst/);
  });

  it('drives RateLimitPrimitive as its limiter', async () => {
    const limiter = new RedisRateLimiter({ connection: redis.client, prefix: redis.uniquePrefix('primitive'), tokensPerInterval: 2, intervalMs: 60_000 });
    const limited = rateLimit(step('call', async (n: number) => n * 2), { limiter, mode: 'reject' });
    expect(await limited.execute(new WorkflowContext(), 1)).toBe(2);
    expect(await limited.execute(new WorkflowContext(), 2)).toBe(4);
    await expect(limited.execute(new WorkflowContext(), 3)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});
