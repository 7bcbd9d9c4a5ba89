// `DEBUG SLEEP` probes (issue 14, "Tests"): the server stops answering anyone for two seconds, as a
// server stuck on a slow command, a fork or a swap storm would. For every Redis store, one call made
// while it sleeps must succeed or reject with a typed, retryable error within the command timeout's
// bound; once the server wakes, the state must be one the docs allow ("not applied": unchanged,
// "maybe applied": before or after, never twice, never lost), the store must work again, and the
// server must answer PING within 100 ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheEntry, CircuitSnapshot } from '@tta/primitives';
import {
  createRedisConnection,
  RedisAgentMemory,
  RedisCacheStore,
  RedisCircuitStateStore,
  RedisHandoffQueue,
  RedisLease,
  RedisMailbox,
  RedisRateLimiter,
  RedisSharedState,
  RedisUnavailableError,
  type RedisConnectionOptions,
} from '@tta/redis';
import type { HandoffDelivery, StateAddress } from '@tta/agent-context';
import { assertRedisLive } from '../../packages/redis/src/test-support/redis-liveness.js';
import { startRedisServer, type RedisServerHandle } from '../../packages/redis/src/test-support/redis-server.js';
import { record } from './figures.js';
import { redisChecksRun } from './support/redis-server.js';

const runRedis = redisChecksRun();
const commandTimeoutMs = 300;
/** The longest a failing call may take: the command timeout plus slack (stores make at most two round trips). */
const failWithinMs = 2 * commandTimeoutMs + 400;
const sleepSeconds = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How one call ended. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** One store's probe: `call` runs while the server sleeps, `check` after it woke. */
interface Probe {
  call(): Promise<unknown>;
  check(outcome: Outcome): Promise<void>;
  close(): Promise<void>;
}

/** Retries `read` while the store's client reconnects or catches up after the sleep. */
async function settled<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!RedisUnavailableError.isInstance(error) || attempt >= 30) throw error;
      await sleep(100);
    }
  }
}

const entry = (value: string): CacheEntry<string> => ({ value, storedAt: 1, expiresAt: Date.now() + 600_000, staleUntil: Date.now() + 600_000 });
const snapshot = (consecutiveFailures: number): CircuitSnapshot => ({ version: 1, state: 'closed', isolated: false, consecutiveFailures, window: [], savedAtMs: 1 });
const address: StateAddress = { scope: 'workflow', scopeId: 'run-1', key: 'total' };

const stores: Record<string, (connection: RedisConnectionOptions, prefix: string) => Promise<Probe>> = {
  async RedisCacheStore(connection, prefix) {
    const store = new RedisCacheStore<string>({ connection, prefix });
    await store.set('k', entry('before'));
    return {
      call: () => store.set('k', entry('after')),
      async check(outcome) {
        const value = (await settled(() => store.get('k')))?.value;
        expect(outcome.ok ? ['after'] : ['before', 'after']).toContain(value);
      },
      close: () => store.close(),
    };
  },
  async RedisSharedState(connection, prefix) {
    const state = new RedisSharedState({ connection, prefix });
    await state.set(address, 1);
    return {
      call: () => state.set(address, 2),
      async check(outcome) {
        const now = await settled(() => state.get(address));
        // Applied once at most: version 2 with the new value, or the seed untouched.
        expect(outcome.ok ? [[2, 2]] : [[1, 1], [2, 2]]).toContainEqual([now?.version, now?.value]);
      },
      close: () => state.close(),
    };
  },
  async RedisAgentMemory(connection, prefix) {
    const memory = new RedisAgentMemory({ connection, prefix, maxEntries: 10 });
    await memory.store({ id: 'seed', agentId: 'a', content: 'seed' });
    return {
      call: () => memory.store({ id: 'new', agentId: 'a', content: 'new' }),
      async check(outcome) {
        const ids = (await settled(() => memory.query({ order: 'oldest' }))).map((found) => found.id);
        expect(await memory.size()).toBe(ids.length);
        expect(outcome.ok ? [['seed', 'new']] : [['seed'], ['seed', 'new']]).toContainEqual(ids);
      },
      close: () => memory.close(),
    };
  },
  async RedisMailbox(connection, prefix) {
    const mailbox = new RedisMailbox({ connection, prefix });
    const draft = { id: 'order-1', type: 'job', from: 'boss', to: 'worker', payload: 1 };
    return {
      call: () => mailbox.send(draft),
      async check() {
        // The documented retry of a maybe-applied send: the same id, delivered once.
        await settled(() => mailbox.send(draft));
        const received = await settled(() => mailbox.receive('worker'));
        expect(received.map((message) => message.id)).toEqual(['order-1']);
        expect(await mailbox.receive('worker')).toEqual([]);
      },
      close: () => mailbox.close(),
    };
  },
  async RedisHandoffQueue(connection, prefix) {
    const queue = new RedisHandoffQueue({ connection, prefix, lockDurationMs: 60_000 });
    await queue.enqueue({ id: 'task-1', to: 'worker', input: 1, correlationId: 'run-1', data: {}, history: [], enqueuedAt: 1 });
    return {
      call: () => queue.take('worker'),
      async check(outcome) {
        // A take that failed loses nothing: a fetch that ran once the server woke hands its task back
        // (the lock is a minute long, so only the hand-back can bring it back in time).
        let delivery = outcome.ok ? (outcome.value as HandoffDelivery | undefined) : undefined;
        const until = Date.now() + 3_000;
        while (delivery === undefined && Date.now() < until) {
          delivery = await settled(() => queue.take('worker'));
          if (delivery === undefined) await sleep(50);
        }
        expect(delivery?.task.id).toBe('task-1');
        await settled(() => delivery!.complete());
        expect(await queue.size('worker')).toBe(0);
        expect(await queue.take('worker')).toBeUndefined();
      },
      close: () => queue.close(),
    };
  },
  async RedisCircuitStateStore(connection, prefix) {
    const store = new RedisCircuitStateStore({ connection, prefix });
    await store.save('breaker', snapshot(1));
    return {
      call: () => store.save('breaker', snapshot(2)),
      async check(outcome) {
        const failures = (await settled(() => store.load('breaker')))?.consecutiveFailures;
        expect(outcome.ok ? [2] : [1, 2]).toContain(failures);
      },
      close: () => store.close(),
    };
  },
  async RedisRateLimiter(connection, prefix) {
    const limiter = new RedisRateLimiter({ connection, prefix, tokensPerInterval: 3, intervalMs: 3_600_000 });
    return {
      call: () => limiter.acquire('api', 1),
      async check(outcome) {
        let left = 0;
        while (left < 5 && (await settled(() => limiter.acquire('api', 1))).granted) left++;
        // Charged at most once: 2 tokens left when applied, 3 when not, never 1.
        expect(outcome.ok ? [2] : [2, 3]).toContain(left);
      },
      close: () => limiter.close(),
    };
  },
  async RedisLease(connection, prefix) {
    const lease = new RedisLease({ connection, prefix, resource: 'nightly', ttlMs: 1_000 });
    return {
      call: () => lease.tryAcquire(),
      async check(outcome) {
        const token = outcome.ok ? (outcome.value as string | undefined) : undefined;
        if (token !== undefined) {
          expect(await settled(() => lease.tryAcquire())).toBeUndefined();
          expect(await lease.release(token)).toBe(true);
        }
        // Maybe applied: a holder nobody knows keeps it until its TTL, then it is free again.
        const until = Date.now() + 2_500;
        let next: string | undefined;
        while ((next = await settled(() => lease.tryAcquire())) === undefined && Date.now() < until) await sleep(100);
        expect(next).toBeDefined();
        expect(await lease.release(next!)).toBe(true);
      },
      close: () => lease.close(),
    };
  },
};

describe.skipIf(!runRedis)('Redis stores while the server runs DEBUG SLEEP (issue 14)', () => {
  let server: RedisServerHandle;
  let admin: ReturnType<typeof createRedisConnection>;
  const counts = { probes: 0, typedErrors: 0, slowestFailureMs: 0, slowestPingMs: 0 };

  beforeAll(async () => {
    server = await startRedisServer({ enableDebugCommand: true });
    // No command timeout: its own DEBUG SLEEP answers only after the sleep.
    admin = createRedisConnection({ host: '127.0.0.1', port: server.port, commandTimeoutMs: 0 });
  });
  afterAll(async () => {
    record('redis DEBUG SLEEP probes: stores', counts.probes);
    record('redis DEBUG SLEEP probes: typed retryable errors', counts.typedErrors);
    record('redis DEBUG SLEEP probes: slowest failing call (ms)', Math.round(counts.slowestFailureMs));
    record('redis DEBUG SLEEP probes: slowest PING after a probe (ms)', Math.round(counts.slowestPingMs * 10) / 10);
    admin?.disconnect();
    await server?.dispose();
  });

  let index = 0;
  for (const [name, prepare] of Object.entries(stores)) {
    it(`${name}: a call during DEBUG SLEEP ${sleepSeconds} fails typed within the command timeout, and leaves a documented state`, async () => {
      const probe = await prepare({ host: '127.0.0.1', port: server.port, commandTimeoutMs, maxReconnectDelayMs: 100 }, `ds${++index}:`);
      try {
        const asleep = admin.call('DEBUG', 'SLEEP', String(sleepSeconds));
        // Let the DEBUG command reach the server before the store's call.
        await sleep(50);
        const started = performance.now();
        const outcome: Outcome = await probe.call().then(
          (value) => ({ ok: true, value }),
          (error: unknown) => ({ ok: false, error }),
        );
        const elapsedMs = performance.now() - started;
        counts.probes++;
        if (!outcome.ok) {
          expect(RedisUnavailableError.isInstance(outcome.error), `untyped rejection: ${String(outcome.error)}`).toBe(true);
          expect((outcome.error as RedisUnavailableError).retryable).toBe(true);
          counts.typedErrors++;
          counts.slowestFailureMs = Math.max(counts.slowestFailureMs, elapsedMs);
          expect(elapsedMs).toBeLessThan(failWithinMs);
        }
        expect(await asleep).toBe('OK');
        await probe.check(outcome);
      } finally {
        await probe.close();
        counts.slowestPingMs = Math.max(counts.slowestPingMs, await assertRedisLive(server.port));
      }
    });
  }
});
