// The fault matrix of issue 14: every Redis store, each of its main operations, under each fault —
// the server paused (`CLIENT PAUSE ALL`), the server killed mid-call (SIGKILL, restarted on the same
// port from its append-only file), the connection dropped mid-call (a proxy that lets the command
// reach the server, holds the reply and cuts the socket). Each call must succeed, or reject with a
// typed error within the command timeout's bound; once the fault is over the state must be one the
// docs allow ("not applied": unchanged, "maybe applied": before or after, never corrupted, never an
// acknowledged write or message lost), the store must work again, and the server must answer PING
// within 100 ms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheEntry, CircuitSnapshot } from '@tta/primitives';
import {
  createRedisConnection,
  HandoffLockLostError,
  LeaseLostError,
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
import type { HandoffDelivery, HandoffTask, StateAddress } from '@tta/agent-context';
import { assertRedisLive } from '../../packages/redis/src/test-support/redis-liveness.js';
import { startRedisServer, type RedisServerHandle } from '../../packages/redis/src/test-support/redis-server.js';
import { record } from './figures.js';
import { startCuttingProxy, type CuttingProxy } from './support/cutting-proxy.js';
import { redisChecksRun } from './support/redis-server.js';

const runRedis = redisChecksRun();
const commandTimeoutMs = 300;
/** The longest a failing call may take: the store's command timeout plus scheduling slack (stores make at most two round trips). */
const failWithinMs = 2 * commandTimeoutMs + 400;
const pauseMs = 500;
/** The handoff queue's lock in the matrix, and how long a task whose take or finish was lost may take to come back. */
const handoffLockMs = 1_000;
const handoffBackWithinMs = 4_000;

/** How one call ended. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** One operation of one store, ready to run under a fault. */
interface Prepared {
  /** The call made while the fault happens. */
  call(): Promise<unknown>;
  /** After the fault: asserts the state the docs allow for `outcome`, then that the store works again. */
  check(outcome: Outcome): Promise<void>;
  close(): Promise<void>;
}

/** A row of the matrix: builds the store on `connection` under its own `prefix` and seeds its state. */
interface Operation {
  readonly store: string;
  readonly name: string;
  prepare(connection: RedisConnectionOptions, prefix: string): Promise<Prepared>;
}

/** Messages a receive handed out again with the same id (at least once, documented), across the matrix. */
let redeliveries = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const applied = (outcome: Outcome): boolean => outcome.ok;

/** Retries `check` while the store's client is still reconnecting after the fault; any other failure is the cell's. */
async function afterReconnect<T>(check: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await check();
    } catch (error) {
      if (!RedisUnavailableError.isInstance(error) || attempt >= 40) throw error;
      await sleep(100);
    }
  }
}

const entry = (value: string): CacheEntry<string> => ({ value, storedAt: 1, expiresAt: Date.now() + 600_000, staleUntil: Date.now() + 600_000 });
const snapshot = (consecutiveFailures: number): CircuitSnapshot => ({ version: 1, state: 'closed', isolated: false, consecutiveFailures, window: [], savedAtMs: 1 });
const address: StateAddress = { scope: 'workflow', scopeId: 'run-1', key: 'total' };

const operations: Operation[] = [
  ...(['get', 'set', 'delete', 'clear'] as const).map((name): Operation => ({
    store: 'RedisCacheStore',
    name,
    async prepare(connection, prefix) {
      const store = new RedisCacheStore<string>({ connection, prefix });
      await store.set('k', entry('before'));
      return {
        call: () => (name === 'get' ? store.get('k') : name === 'set' ? store.set('k', entry('after')) : name === 'delete' ? store.delete('k') : store.clear()),
        async check(outcome) {
          const value = (await afterReconnect(() => store.get('k')))?.value;
          if (name === 'get') {
            if (outcome.ok) expect((outcome.value as CacheEntry<string>).value).toBe('before');
            expect(value).toBe('before');
          } else {
            const after = name === 'set' ? 'after' : undefined;
            expect(applied(outcome) ? [after] : ['before', after]).toContain(value);
          }
          await afterReconnect(() => store.set('k2', entry('again')));
          expect((await store.get('k2'))?.value).toBe('again');
        },
        close: () => store.close(),
      };
    },
  })),
  ...(['get', 'set', 'compareAndSet', 'delete'] as const).map((name): Operation => ({
    store: 'RedisSharedState',
    name,
    async prepare(connection, prefix) {
      const state = new RedisSharedState({ connection, prefix });
      await state.set(address, 1);
      return {
        call: () =>
          name === 'get' ? state.get(address) : name === 'set' ? state.set(address, 2) : name === 'compareAndSet' ? state.compareAndSet(address, 1, 2) : state.delete(address),
        async check(outcome) {
          const now = await afterReconnect(() => state.get(address));
          const seen = now === undefined ? undefined : [now.version, now.value];
          if (name === 'get') {
            if (outcome.ok) expect(outcome.value).toMatchObject({ version: 1, value: 1 });
            expect(seen).toEqual([1, 1]);
          } else {
            const after = name === 'delete' ? undefined : [2, 2];
            expect(applied(outcome) ? [after] : [[1, 1], after]).toContainEqual(seen);
          }
          const next = await afterReconnect(() => state.set({ ...address, key: 'again' }, 'x'));
          expect((await state.get({ ...address, key: 'again' }))?.version).toBe(next.version);
        },
        close: () => state.close(),
      };
    },
  })),
  ...(['store', 'retrieve', 'query', 'delete', 'clear'] as const).map((name): Operation => ({
    store: 'RedisAgentMemory',
    name,
    async prepare(connection, prefix) {
      const memory = new RedisAgentMemory({ connection, prefix, maxEntries: 10 });
      await memory.store({ id: 'seed', agentId: 'a', content: 'seed', tags: ['t'] });
      return {
        call: () =>
          name === 'store'
            ? memory.store({ id: 'new', agentId: 'a', content: 'new', tags: ['t'] })
            : name === 'retrieve'
              ? memory.retrieve('seed')
              : name === 'query'
                ? memory.query({ tags: ['t'] })
                : name === 'delete'
                  ? memory.delete('seed')
                  : memory.clear(),
        async check(outcome) {
          const ids = (await afterReconnect(() => memory.query({ order: 'oldest' }))).map((found) => found.id);
          // size() and query() must agree: no entry outside the order index, none counted twice.
          expect(await memory.size()).toBe(ids.length);
          const after = name === 'store' ? ['seed', 'new'] : name === 'delete' || name === 'clear' ? [] : ['seed'];
          expect(applied(outcome) || name === 'retrieve' || name === 'query' ? [after] : [['seed'], after]).toContainEqual(ids);
          if (outcome.ok && name === 'retrieve') expect(outcome.value).toMatchObject({ id: 'seed', content: 'seed' });
          if (outcome.ok && name === 'query') expect((outcome.value as { id: string }[]).map((found) => found.id)).toEqual(['seed']);
          // A retried store with the same id replaces, never duplicates.
          await afterReconnect(() => memory.store({ id: 'again', agentId: 'a', content: 1 }));
          await memory.store({ id: 'again', agentId: 'a', content: 2 });
          expect(await memory.size()).toBe(ids.length + 1);
        },
        close: () => memory.close(),
      };
    },
  })),
  ...(['send', 'receive'] as const).map((name): Operation => ({
    store: 'RedisMailbox',
    name,
    async prepare(connection, prefix) {
      const mailbox = new RedisMailbox({ connection, prefix, redeliveryDelayMs: 800 });
      const draft = { id: 'order-1', type: 'job', from: 'boss', to: 'worker', payload: 1 };
      if (name === 'receive') await mailbox.send(draft);
      return {
        call: () => (name === 'send' ? mailbox.send(draft) : mailbox.receive('worker')),
        async check(outcome) {
          type Seen = { readonly id: string; readonly payload: unknown };
          const pick = (message: Seen): Seen => ({ id: message.id, payload: message.payload });
          const received: Seen[] = outcome.ok && name === 'receive' ? (outcome.value as Seen[]).map(pick) : [];
          // The documented retry: a send that may have been applied is retried with its id.
          if (name === 'send') await afterReconnect(() => mailbox.send(draft));
          // A receive that failed loses nothing: its messages come back after redeliveryDelayMs.
          const until = Date.now() + 3_000;
          while (received.length === 0 && Date.now() < until) {
            received.push(...(await afterReconnect(() => mailbox.receive('worker'))).map(pick));
            if (received.length === 0) await sleep(100);
          }
          await sleep(name === 'receive' && !outcome.ok ? 0 : 900);
          received.push(...(await mailbox.receive('worker')).map(pick));
          // Exactly one message; a receive whose acknowledgement was lost (the server killed between the
          // take and the ack) hands it out again with the same id: the documented at-least-once.
          expect([...new Set(received.map((message) => message.id))]).toEqual(['order-1']);
          expect(received.every((message) => message.payload === 1)).toBe(true);
          redeliveries += received.length - 1;
        },
        close: () => mailbox.close(),
      };
    },
  })),
  ...(['enqueue', 'take', 'complete', 'fail', 'size'] as const).map((name): Operation => ({
    store: 'RedisHandoffQueue',
    name,
    async prepare(connection, prefix) {
      // A short lock: a task whose take or finish was lost comes back within about two seconds.
      const queue = new RedisHandoffQueue({ connection, prefix, lockDurationMs: handoffLockMs, attempts: 2, retryDelayMs: 0 });
      const task: HandoffTask = { id: 'order-1', to: 'worker', input: 1, correlationId: 'run-1', data: {}, history: [], enqueuedAt: 1 };
      if (name !== 'enqueue') await queue.enqueue(task);
      let delivery: HandoffDelivery | undefined;
      if (name === 'complete' || name === 'fail') {
        delivery = await queue.take('worker');
        expect(delivery?.task.id).toBe('order-1');
      }
      /** Takes the task again, waiting up to `withinMs` for it (a lost lock, a retry), and completes it. */
      const takeAgain = async (withinMs: number): Promise<string | undefined> => {
        const until = Date.now() + withinMs;
        for (;;) {
          const again = await afterReconnect(() => queue.take('worker'));
          if (again !== undefined) {
            await afterReconnect(() => again.complete());
            return again.task.id;
          }
          if (Date.now() > until) return undefined;
          await sleep(100);
        }
      };
      return {
        call: () =>
          name === 'enqueue'
            ? queue.enqueue(task)
            : name === 'take'
              ? queue.take('worker')
              : name === 'complete'
                ? delivery!.complete()
                : name === 'fail'
                  ? delivery!.fail(new Error('tool crashed'))
                  : queue.size('worker'),
        async check(outcome) {
          if (name === 'enqueue') {
            // The documented retry of a maybe-applied enqueue: the same task id, which adds it at most once.
            await afterReconnect(() => queue.enqueue(task));
            expect(await afterReconnect(() => queue.size('worker'))).toBe(1);
            expect(await takeAgain(0)).toBe('order-1');
          } else if (name === 'take') {
            const taken = outcome.ok ? (outcome.value as HandoffDelivery | undefined) : undefined;
            if (taken !== undefined) {
              expect(taken.task.id).toBe('order-1');
              await afterReconnect(() => queue.size('worker'));
              await taken.complete();
            } else {
              // A take that failed loses nothing: its task is offered again.
              expect(await takeAgain(handoffBackWithinMs)).toBe('order-1');
            }
          } else if (name === 'complete') {
            // Applied: gone for good. Maybe applied: gone, or offered again once its lock expires (at least once).
            const again = await takeAgain(outcome.ok ? handoffLockMs + 500 : handoffBackWithinMs);
            expect(outcome.ok ? [undefined] : [undefined, 'order-1']).toContain(again);
          } else if (name === 'fail') {
            // A failed task with an attempt left comes back, whether the fail or the lost lock brings it.
            expect(await takeAgain(handoffBackWithinMs)).toBe('order-1');
          } else {
            if (outcome.ok) expect(outcome.value).toBe(1);
            expect(await takeAgain(0)).toBe('order-1');
          }
          expect(await queue.size('worker')).toBe(0);
          expect(await queue.take('worker')).toBeUndefined();
        },
        close: () => queue.close(),
      };
    },
  })),
  ...(['load', 'save', 'delete'] as const).map((name): Operation => ({
    store: 'RedisCircuitStateStore',
    name,
    async prepare(connection, prefix) {
      const store = new RedisCircuitStateStore({ connection, prefix });
      await store.save('breaker', snapshot(1));
      return {
        call: () => (name === 'load' ? store.load('breaker') : name === 'save' ? store.save('breaker', snapshot(2)) : store.delete('breaker')),
        async check(outcome) {
          const failures = (await afterReconnect(() => store.load('breaker')))?.consecutiveFailures;
          if (name === 'load') {
            if (outcome.ok) expect(outcome.value).toEqual(snapshot(1));
            expect(failures).toBe(1);
          } else {
            const after = name === 'save' ? 2 : undefined;
            expect(applied(outcome) ? [after] : [1, after]).toContain(failures);
          }
          await store.save('other', snapshot(3));
          expect((await store.load('other'))?.consecutiveFailures).toBe(3);
        },
        close: () => store.close(),
      };
    },
  })),
  ...(['acquire', 'reset'] as const).map((name): Operation => ({
    store: 'RedisRateLimiter',
    name,
    async prepare(connection, prefix) {
      // Three tokens an hour: nothing refills during the cell, so the tokens left count the acquires applied.
      const limiter = new RedisRateLimiter({ connection, prefix, tokensPerInterval: 3, intervalMs: 3_600_000 });
      if (name === 'reset') expect((await limiter.acquire('api', 2)).granted).toBe(true);
      const left = async (): Promise<number> => {
        let count = 0;
        while (count < 5 && (await limiter.acquire('api', 1)).granted) count++;
        return count;
      };
      return {
        call: () => (name === 'acquire' ? limiter.acquire('api', 1) : limiter.reset('api')),
        async check(outcome) {
          const remaining = await afterReconnect(left);
          const after = name === 'acquire' ? 2 : 3;
          // Maybe applied means once or not at all: an acquire charged twice would leave 1.
          expect(applied(outcome) ? [after] : [name === 'acquire' ? 3 : 1, after]).toContain(remaining);
          await limiter.reset('api');
          expect(await left()).toBe(3);
        },
        close: () => limiter.close(),
      };
    },
  })),
  ...(['tryAcquire', 'extend', 'release'] as const).map((name): Operation => ({
    store: 'RedisLease',
    name,
    async prepare(connection, prefix) {
      const lease = new RedisLease({ connection, prefix, resource: 'reindex', ttlMs: 30_000 });
      const token = name === 'tryAcquire' ? undefined : await lease.tryAcquire();
      if (name !== 'tryAcquire') expect(token).toBeDefined();
      return {
        call: () => (name === 'tryAcquire' ? lease.tryAcquire() : name === 'extend' ? lease.extend(token!, 60_000) : lease.release(token!)),
        async check(outcome) {
          if (name === 'tryAcquire') {
            // Acquired or not, nobody else may take it while a holder may exist; once free it can be taken.
            const rival = await afterReconnect(() => lease.tryAcquire());
            if (outcome.ok && outcome.value !== undefined) {
              expect(rival).toBeUndefined();
              expect(await lease.release(outcome.value as string)).toBe(true);
            } else if (rival !== undefined) {
              expect(await lease.release(rival)).toBe(true);
            } else {
              // A timed-out acquire that ran anyway holds the lease under a token nobody has, until its TTL:
              // the documented "maybe applied". The store still answers; the next acquire waits for the TTL.
              expect(await lease.isHeld('no-such-token')).toBe(false);
              return;
            }
          } else {
            const held = await afterReconnect(() => lease.isHeld(token!));
            if (name === 'extend') {
              if (outcome.ok) expect(outcome.value).toBe(true);
              expect(held).toBe(true);
            } else {
              expect(applied(outcome) ? [false] : [true, false]).toContain(held);
              if (outcome.ok) expect(outcome.value).toBe(true);
            }
            if (held) expect(await lease.release(token!)).toBe(true);
          }
          const next = await lease.tryAcquire();
          expect(next).toBeDefined();
          expect(await lease.release(next!)).toBe(true);
        },
        close: () => lease.close(),
      };
    },
  })),
];

/** A fault: how the store connects, and how the call is made while the fault happens. */
interface Fault {
  readonly name: string;
  connection(): RedisConnectionOptions;
  inject(call: () => Promise<unknown>): Promise<Outcome>;
}

const settle = (promise: Promise<unknown>): Promise<Outcome> =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

describe.skipIf(!runRedis)('Redis fault matrix (issue 14)', () => {
  let server: RedisServerHandle;
  let proxy: CuttingProxy;
  let admin: ReturnType<typeof createRedisConnection>;
  const base = { host: '127.0.0.1', commandTimeoutMs, maxReconnectDelayMs: 100 } as const;
  const counts = { cells: 0, typedErrors: 0, maybeApplied: 0, wrongStates: 0, slowestFailureMs: 0, slowestPingMs: 0 };

  beforeAll(async () => {
    // appendfsync always: every acknowledged write is on disk before its reply, so a kill loses none.
    server = await startRedisServer({ appendonly: true, appendfsync: 'always' });
    proxy = await startCuttingProxy(server.port);
    admin = createRedisConnection({ ...base, port: server.port });
  });
  afterAll(async () => {
    record('redis fault matrix: cells tried', counts.cells);
    record('redis fault matrix: typed errors', counts.typedErrors);
    record('redis fault matrix: typed errors marked maybe applied', counts.maybeApplied);
    record('redis fault matrix: wrong states', counts.wrongStates);
    record('redis fault matrix: mailbox messages redelivered with the same id', redeliveries);
    record('redis fault matrix: slowest failing call (ms)', Math.round(counts.slowestFailureMs));
    record('redis fault matrix: slowest PING after a cell (ms)', Math.round(counts.slowestPingMs * 10) / 10);
    admin?.disconnect();
    await proxy?.close();
    await server?.dispose();
  });

  const faults: Fault[] = [
    {
      name: 'server paused',
      connection: () => ({ ...base, port: server.port }),
      async inject(call) {
        await admin.call('CLIENT', 'PAUSE', String(pauseMs), 'ALL');
        const until = Date.now() + pauseMs;
        const outcome = await settle(call());
        await sleep(Math.max(0, until - Date.now()) + 50);
        return outcome;
      },
    },
    {
      name: 'server killed mid-call',
      connection: () => ({ ...base, port: server.port }),
      async inject(call) {
        const pending = settle(call());
        await server.crash();
        const outcome = await pending;
        await server.restart();
        return outcome;
      },
    },
    {
      name: 'connection dropped mid-call',
      connection: () => ({ ...base, host: proxy.host, port: proxy.port }),
      async inject(call) {
        proxy.holdReplies();
        const pending = settle(call());
        // Long enough for the command to reach the server and run, shorter than the command timeout.
        await sleep(60);
        proxy.cut();
        return pending;
      },
    },
  ];

  let cell = 0;
  for (const operation of operations) {
    for (const fault of faults) {
      it(`${operation.store}.${operation.name} — ${fault.name}`, async () => {
        const prepared = await operation.prepare(fault.connection(), `fm${++cell}:`);
        try {
          const started = performance.now();
          let settledAt = started;
          const outcome = await fault.inject(() => prepared.call().finally(() => (settledAt = performance.now())));
          const elapsedMs = settledAt - started;
          counts.cells++;
          let wrong = true;
          try {
            if (!outcome.ok) {
              const typed = RedisUnavailableError.isInstance(outcome.error) || LeaseLostError.isInstance(outcome.error) || HandoffLockLostError.isInstance(outcome.error);
              expect(typed, `untyped rejection: ${String(outcome.error)}`).toBe(true);
              counts.typedErrors++;
              if (RedisUnavailableError.isInstance(outcome.error) && outcome.error.maybeApplied) counts.maybeApplied++;
              counts.slowestFailureMs = Math.max(counts.slowestFailureMs, elapsedMs);
              expect(elapsedMs).toBeLessThan(failWithinMs);
            }
            await prepared.check(outcome);
            wrong = false;
          } finally {
            if (wrong) counts.wrongStates++;
          }
        } finally {
          await prepared.close();
          counts.slowestPingMs = Math.max(counts.slowestPingMs, await assertRedisLive(server.port));
        }
      });
    }
  }
});
