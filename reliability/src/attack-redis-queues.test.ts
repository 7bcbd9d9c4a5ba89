// Attacks on the queue-shaped Redis stores (issue 14, items 7, 8 and 10): inputs that no retry can
// fix must say so (not `RedisUnavailableError`), the handoff queue must not grow a connection and
// never-expiring keys per agent, and worker pools must not fail each other's jobs.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, step } from '@tta/primitives';
import { createWorkflowQueue, createWorkflowQueueEvents, enqueueWorkflow, RedisHandoffQueue, RedisSharedState, RedisUnavailableError, HandoffLockLostError, WorkerPool } from '@tta/redis';

import { redisChecksRun, useRedisServer } from './support/redis-server.js';

const runRedis = redisChecksRun();

/** The settled error of `promise` ('resolved' when it did not reject). */
const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error);

/** True when `error` says that retrying cannot help. */
const notRetryable = (error: unknown): boolean =>
  !RedisUnavailableError.isInstance(error) && typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false;

describe.skipIf(!runRedis)('attack: Redis queues (issue 14, items 7, 8, 10)', () => {
  const redis = useRedisServer();
  const connection = () => ({ port: redis.server.port, host: '127.0.0.1' });

  describe('errors that no retry can fix are typed and not retryable (item 8)', () => {
    it.each([
      ['a numeric job id', { jobId: '123' }],
      ['a job id with a colon', { jobId: 'a:b' }],
      ['a priority out of range', { priority: 3_000_000 }],
    ])('enqueueWorkflow refuses %s with InvalidInputError', async (_name, options) => {
      const queue = createWorkflowQueue({ connection: connection(), prefix: 'attack-input:', queueName: 'input' });
      try {
        const error = await rejection(enqueueWorkflow(queue, 'job', { n: 1 }, options));
        expect(InvalidInputError.isInstance(error), String(error)).toBe(true);
        expect(notRetryable(error)).toBe(true);
      } finally {
        await queue.close();
      }
    });

    it('enqueueWorkflow refuses a BigInt input with InvalidInputError', async () => {
      const queue = createWorkflowQueue({ connection: connection(), prefix: 'attack-input:', queueName: 'input' });
      try {
        const error = await rejection(enqueueWorkflow(queue, 'job', { n: 1n }));
        expect(InvalidInputError.isInstance(error), String(error)).toBe(true);
        expect(notRetryable(error)).toBe(true);
      } finally {
        await queue.close();
      }
    });

    it('RedisSharedState refuses a scope id with a lone surrogate as not retryable', async () => {
      const state = new RedisSharedState({ connection: connection(), prefix: 'attack-scope:' });
      try {
        const error = await rejection(state.get({ scope: 'session', scopeId: 'cut-\ud83d', key: 'k' }));
        expect(RedisUnavailableError.isInstance(error), String(error)).toBe(false);
        expect(notRetryable(error)).toBe(true);
      } finally {
        await state.close();
      }
    });

    it('a handoff completed after its lock expired fails with HandoffLockLostError, not retryable', async () => {
      const queue = new RedisHandoffQueue({ connection: connection(), prefix: 'attack-lock:', lockDurationMs: 150 });
      try {
        await queue.enqueue({ id: 'task-1', to: 'slow-agent', input: 1, correlationId: 'run', data: {}, history: [], enqueuedAt: 0 });
        const delivery = await queue.take('slow-agent');
        expect(delivery).toBeDefined();
        await sleep(400);
        const error = await rejection(delivery!.complete());
        expect(HandoffLockLostError.isInstance(error), String(error)).toBe(true);
        expect(notRetryable(error)).toBe(true);
      } finally {
        await queue.close();
      }
    });
  });

  describe('worker pools (item 10)', () => {
    it('two pools with different workflows and default options run every job in their own pool and fail none', async () => {
      const prefix = 'attack-pools:';
      const billing = new WorkerPool({ connection: connection(), prefix, workflows: { bill: step('bill', async (n: number) => `bill-${n}`) } });
      const mailing = new WorkerPool({ connection: connection(), prefix, workflows: { mail: step('mail', async (n: number) => `mail-${n}`) } });
      // Each pool's queue is named after its workflows; producers find it from the same names.
      const queues = { bill: createWorkflowQueue({ connection: connection(), prefix, workflows: ['bill'] }), mail: createWorkflowQueue({ connection: connection(), prefix, workflows: ['mail'] }) };
      const events = { bill: createWorkflowQueueEvents({ connection: connection(), prefix, workflows: ['bill'] }), mail: createWorkflowQueueEvents({ connection: connection(), prefix, workflows: ['mail'] }) };
      let failures = 0;
      billing.onFailed(() => failures++);
      mailing.onFailed(() => failures++);
      try {
        expect(billing.queueName).not.toBe(mailing.queueName);
        await Promise.all([events.bill.waitUntilReady(), events.mail.waitUntilReady()]);
        const kind = (n: number) => (n % 2 === 0 ? 'bill' : 'mail');
        const jobs = await Promise.all(Array.from({ length: 40 }, (_, n) => enqueueWorkflow(queues[kind(n)], kind(n), n)));
        const outputs = await Promise.all(jobs.map((job, n) => job.waitUntilFinished(events[kind(n)], 20_000)));
        expect(outputs).toEqual(Array.from({ length: 40 }, (_, n) => `${kind(n)}-${n}`));
        expect(failures).toBe(0);
        expect((await queues.bill.getFailedCount()) + (await queues.mail.getFailedCount())).toBe(0);
      } finally {
        await Promise.all([billing.close(), mailing.close(), events.bill.close(), events.mail.close(), queues.bill.close(), queues.mail.close()]);
      }
    });

    it('keeps a bounded number of finished jobs: 300 jobs leave at most the retention count', async () => {
      const prefix = 'attack-retention:';
      const queue = createWorkflowQueue({ connection: connection(), prefix, workflows: ['work'] });
      const pool = new WorkerPool({ connection: connection(), prefix, workflows: { work: step('work', async (n: number) => n) }, concurrency: 8, removeOnComplete: 20 });
      try {
        await Promise.all(Array.from({ length: 300 }, (_, n) => enqueueWorkflow(queue, 'work', n)));
        const deadline = Date.now() + 20_000;
        while ((await queue.getCompletedCount()) + (await queue.getWaitingCount()) + (await queue.getActiveCount()) > 20 && Date.now() < deadline) await sleep(100);
        expect(await queue.getCompletedCount()).toBe(20);
        const jobKeys = (await redis.admin.keys(`${prefix}*`)).filter((key) => /:[0-9a-f-]{36}$/.test(key));
        expect(jobKeys.length).toBe(20);
      } finally {
        await Promise.all([pool.close(), queue.close()]);
      }
    });
  });

  describe('the handoff queue stays bounded (item 7)', () => {
    const clientCount = async (): Promise<number> => String(await redis.admin.call('CLIENT', 'LIST')).trim().split('\n').length;
    const task = (to: string) => ({ id: `task-${to}`, to, input: to, correlationId: 'run', data: {}, history: [], enqueuedAt: 0 });

    it('holds a bounded number of connections and leaves no key without a TTL after 50 agents', async () => {
      const prefix = 'attack-agents:';
      const before = await clientCount();
      const queue = new RedisHandoffQueue({ connection: connection(), prefix });
      let peak = 0;
      try {
        for (let n = 0; n < 50; n++) {
          await queue.enqueue(task(`agent-${n}`));
          const delivery = await queue.take(`agent-${n}`);
          expect(delivery?.task.input).toBe(`agent-${n}`);
          await delivery!.complete();
          peak = Math.max(peak, (await clientCount()) - before);
        }
        const keys = await redis.admin.keys(`${prefix}*`);
        const immortal: string[] = [];
        for (const key of keys) if ((await redis.admin.pttl(key)) < 0) immortal.push(key);
        console.info(`50 agents: peak ${peak} connections, ${keys.length} keys, ${immortal.length} without a TTL`);
        expect(peak).toBeLessThanOrEqual(12);
        expect(immortal).toEqual([]);
      } finally {
        await queue.close();
      }
      await expect.poll(async () => (await clientCount()) - before, { timeout: 5_000 }).toBeLessThanOrEqual(0);
    });

    it('forgets an idle agent after idleAgentTtlMs, and takes a task queued for it afterwards', async () => {
      const prefix = 'attack-idle:';
      const queue = new RedisHandoffQueue({ connection: connection(), prefix, idleAgentTtlMs: 300 });
      try {
        await queue.enqueue(task('idle'));
        await sleep(500);
        // A waiting task keeps its agent's keys alive.
        expect(await queue.size('idle')).toBe(1);
        await (await queue.take('idle'))!.complete();
        await sleep(500);
        expect(await redis.admin.keys(`${prefix}*`)).toEqual([]);
        await queue.enqueue({ ...task('idle'), id: 'task-again' });
        expect((await queue.take('idle'))?.task.id).toBe('task-again');
      } finally {
        await queue.close();
      }
    });

    it('take() and complete() give up after the command timeout while Redis does not answer', async () => {
      const queue = new RedisHandoffQueue({ connection: { ...connection(), commandTimeoutMs: 300 }, prefix: 'attack-stuck:' });
      try {
        await queue.enqueue(task('stuck'));
        const delivery = await queue.take('stuck');
        await redis.admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
        const started = Date.now();
        const [completeError, takeError] = await Promise.all([rejection(delivery!.complete()), rejection(queue.take('other'))]);
        const elapsedMs = Date.now() - started;
        console.info(`complete() and take() with Redis paused: settled after ${elapsedMs} ms`);
        expect(RedisUnavailableError.isInstance(completeError), String(completeError)).toBe(true);
        expect(RedisUnavailableError.isInstance(takeError), String(takeError)).toBe(true);
        expect(elapsedMs).toBeLessThan(1_200);
      } finally {
        await sleep(1_300);
        await queue.close();
      }
    });
  });
});
