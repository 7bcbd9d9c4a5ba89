// Attack: a command that times out on the client still runs on the server once it is free again.
// `CLIENT PAUSE <ms> WRITE` holds every write; the store's call gives up after its command timeout,
// the server applies the write when the pause ends. Nothing may be lost, and a retry with the same
// id must not duplicate (issue 14, item 4).
import { describe, expect, it, vi } from 'vitest';
import { createWorkflowQueue, enqueueWorkflow, RedisMailbox, RedisUnavailableError } from '@tta/redis';
import { redisChecksRun, useRedisServer } from './support/redis-server.js';

const runRedis = redisChecksRun();
const pauseMs = 1_200;
const commandTimeoutMs = 250;

describe.skipIf(!runRedis)('attack: a timed-out Redis mailbox or queue call (issue 14, item 4)', () => {
  const redis = useRedisServer();

  const connection = () => ({ port: redis.server.port, host: '127.0.0.1', commandTimeoutMs });
  /** Holds writes for {@link pauseMs}; resolves when the pause is over and the server answers again. */
  const pauseWrites = async (): Promise<() => Promise<void>> => {
    await redis.admin.call('CLIENT', 'PAUSE', String(pauseMs), 'WRITE');
    const until = Date.now() + pauseMs;
    return async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now()) + 100));
      expect(await redis.admin.ping()).toBe('PONG');
    };
  };
  const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error);

  it('keeps the messages of a receive that timed out: a later receive gets them', async () => {
    const mailbox = new RedisMailbox({ connection: connection(), prefix: 'attack-receive:', redeliveryDelayMs: 500 });
    try {
      const sent = await mailbox.send({ type: 'job', from: 'boss', to: 'worker', payload: { n: 1 } });
      const resumed = await pauseWrites();
      const error = await rejection(mailbox.receive('worker'));
      expect(RedisUnavailableError.isInstance(error)).toBe(true);
      expect((error as RedisUnavailableError).maybeApplied).toBe(true);
      await resumed();
      // The timed-out receive ran after the pause; its messages come back after the redelivery delay.
      const received = await vi.waitFor(async () => {
        const batch = await mailbox.receive('worker');
        expect(batch).toHaveLength(1);
        return batch;
      }, { timeout: 5_000, interval: 100 });
      expect(received).toEqual([sent]);
      expect(await mailbox.receive('worker')).toEqual([]);
    } finally {
      await mailbox.close();
    }
  });

  it('queues one message when a send that timed out is retried with the same id', async () => {
    const mailbox = new RedisMailbox({ connection: connection(), prefix: 'attack-send:' });
    try {
      const draft = { id: 'order-42', type: 'job', from: 'boss', to: 'worker', payload: { n: 42 } };
      const resumed = await pauseWrites();
      const error = await rejection(mailbox.send(draft));
      expect(RedisUnavailableError.isInstance(error)).toBe(true);
      expect((error as RedisUnavailableError).maybeApplied).toBe(true);
      await resumed();
      // The send that failed was applied after the pause: a blind retry would queue it twice.
      expect(await mailbox.pending('worker')).toBe(1);
      const retried = await mailbox.send(draft);
      expect(retried.id).toBe('order-42');
      const received = await mailbox.receive('worker');
      expect(received.map((message) => message.payload)).toEqual([{ n: 42 }]);
    } finally {
      await mailbox.close();
    }
  });

  it('delivers every message of a send/receive run through pauses and dropped connections, none lost, none twice', async () => {
    const sender = new RedisMailbox({ connection: connection(), prefix: 'attack-matrix:', redeliveryDelayMs: 800 });
    const receiver = new RedisMailbox({ connection: connection(), prefix: 'attack-matrix:', redeliveryDelayMs: 800 });
    const total = 60;
    const received: string[] = [];
    let failures = 0;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      const faults = (async () => {
        await sleep(100);
        await redis.admin.call('CLIENT', 'PAUSE', '500', 'WRITE');
        await sleep(800);
        // Drops every other connection mid-call; ioredis reconnects.
        await redis.admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        await sleep(400);
        await redis.admin.call('CLIENT', 'PAUSE', '500', 'ALL');
        // The liveness check below is about the server after the faults, not during the last pause.
        await sleep(550);
      })();
      const sending = (async () => {
        for (let index = 0; index < total; index++) {
          for (let attempt = 0; ; attempt++) {
            try {
              await sender.send({ id: `m-${index}`, type: 'job', from: 'boss', to: 'worker', payload: index });
              break;
            } catch (error) {
              // Only "maybe applied" failures are retried, with the same id: never a duplicate.
              if (!RedisUnavailableError.isInstance(error) || attempt >= 40) throw error;
              failures++;
              await sleep(50);
            }
          }
          await sleep(20);
        }
      })();
      const until = Date.now() + 15_000;
      while (new Set(received).size < total && Date.now() < until) {
        try {
          received.push(...(await receiver.receive('worker', { limit: 5 })).map((message) => message.id));
        } catch (error) {
          if (!RedisUnavailableError.isInstance(error)) throw error;
          failures++;
        }
        await sleep(25);
      }
      await Promise.all([faults, sending]);
      console.info(`mailbox fault run: ${total} messages, ${failures} failed calls retried, ${received.length - new Set(received).size} duplicates`);
      expect(failures).toBeGreaterThan(0);
      expect(new Set(received).size).toBe(total);
      expect(received).toHaveLength(total);
      const started = performance.now();
      expect(await redis.admin.ping()).toBe('PONG');
      expect(performance.now() - started).toBeLessThan(100);
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
    }
  });

  it('adds one job when an enqueue that timed out is retried with the jobId its error names', async () => {
    const queue = createWorkflowQueue({ connection: connection(), prefix: 'attack-enqueue:', workflows: ['summarise'] });
    try {
      await queue.waitUntilReady();
      const resumed = await pauseWrites();
      const error = await rejection(enqueueWorkflow(queue, 'summarise', { url: 'https://example.com' }));
      expect(RedisUnavailableError.isInstance(error)).toBe(true);
      expect((error as RedisUnavailableError).maybeApplied).toBe(true);
      const jobId = (error as RedisUnavailableError).retryKey;
      expect(typeof jobId).toBe('string');
      await resumed();
      // The add that failed landed after the pause: a retry without its id would add a second job.
      expect(await queue.getJob(jobId as string)).toBeDefined();
      const job = await enqueueWorkflow(queue, 'summarise', { url: 'https://example.com' }, { jobId: jobId as string });
      expect(job.id).toBe(jobId);
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(1);
    } finally {
      await queue.close();
    }
  });
});
