import { describe, expect, it, vi } from 'vitest';
import { circuitBreaker, step, WorkflowContext, InvalidOptionsError, type CircuitSnapshot } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { RedisCircuitStateStore } from './redis-circuit-state-store.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisCircuitStateStore', () => {
  const redis = useRedisServer();
  const snapshot: CircuitSnapshot = {
    version: 1,
    state: 'open',
    isolated: false,
    openedAtMs: 1_000,
    openUntilMs: 31_000,
    consecutiveFailures: 5,
    window: [{ startMs: 0, calls: 10, failures: 6 }],
    savedAtMs: 1_000,
  };

  it('returns the snapshot it was given, field for field, under <prefix>circuit:<key>', async () => {
    const prefix = redis.uniquePrefix('circuit');
    const store = new RedisCircuitStateStore({ connection: redis.client, prefix });
    expect(await store.load('llm')).toBeUndefined();
    await store.save('llm', snapshot);
    expect(await store.load('llm')).toEqual(snapshot);
    expect(await redis.keysWithPrefix(prefix)).toEqual([`${prefix}circuit:{llm}`]);
    expect(await redis.client.pttl(`${prefix}circuit:{llm}`)).toBeGreaterThan(86_000_000);
    expect(await store.delete('llm')).toBe(true);
    expect(await store.load('llm')).toBeUndefined();
  });

  it('keeps a snapshot forever with ttlMs 0', async () => {
    const prefix = redis.uniquePrefix('forever');
    const store = new RedisCircuitStateStore({ connection: redis.client, prefix, ttlMs: 0 });
    await store.save('k', snapshot);
    expect(await redis.client.pttl(`${prefix}circuit:{k}`)).toBe(-1);
  });

  it('opens the circuit of a breaker in another process once one breaker has tripped', async () => {
    const prefix = redis.uniquePrefix('shared');
    const clock = new ManualClock(1_700_000_000_000);
    const failing = step('flaky', async () => {
      throw new Error('provider down');
    });
    const first = circuitBreaker(failing, { failureThreshold: 2, breakDurationMs: 30_000, store: new RedisCircuitStateStore({ connection: redis.connection, prefix }), key: 'provider', clock });
    for (let attempt = 0; attempt < 2; attempt++) await first.execute(new WorkflowContext({ clock }), undefined).catch(() => undefined);
    expect(first.state).toBe('open');
    await vi.waitFor(async () => expect(await redis.client.exists(`${prefix}circuit:{provider}`)).toBe(1), { timeout: 5_000, interval: 5 });

    let called = false;
    const healthyLooking = step('flaky', async () => {
      called = true;
      return 'ok';
    });
    const second = circuitBreaker(healthyLooking, { failureThreshold: 2, breakDurationMs: 30_000, store: new RedisCircuitStateStore({ connection: redis.connection, prefix }), key: 'provider', clock });
    const error = await second.execute(new WorkflowContext({ clock }), undefined).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(called).toBe(false);
  });

  it('refuses a negative ttl', () => {
    expect(() => new RedisCircuitStateStore({ connection: redis.client, ttlMs: -1 })).toThrow(InvalidOptionsError);
  });
});
