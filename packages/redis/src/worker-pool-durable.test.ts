import { describe, expect, it } from 'vitest';
import { sequential, step } from '@tta/primitives';
import { durable, waitFor, type RunOutcome } from '@tta/durable';
import { RedisRunStore } from './durable/index.js';
import { WorkerPool, type WorkflowJobEvent } from './worker-pool.js';
import { createWorkflowQueue, createWorkflowQueueEvents, enqueueWorkflow } from './enqueue-workflow.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('WorkerPool with durable workflows', () => {
  const redis = useRedisServer();

  async function setUp(workflows: ConstructorParameters<typeof WorkerPool>[0]['workflows']) {
    const prefix = redis.uniquePrefix('durable-pool');
    const connection = redis.connection;
    const queue = createWorkflowQueue({ connection, prefix, workflows });
    const events = createWorkflowQueueEvents({ connection, prefix, workflows });
    const pool = new WorkerPool({ connection, prefix, workflows });
    await Promise.all([events.waitUntilReady(), pool.waitUntilReady()]);
    const completed: WorkflowJobEvent[] = [];
    pool.onCompleted((event) => completed.push(event));
    return { prefix, queue, events, pool, completed, dispose: () => Promise.all([pool.close(), events.close(), queue.close()]) };
  }

  it('runs a durable workflow with the job id as its run id; a retried job resumes from the journal without calling a completed step again', async () => {
    const store = new RedisRunStore({ connection: redis.client, prefix: redis.uniquePrefix('runs') });
    const calls = { plan: 0, write: 0 };
    const flow = durable(
      sequential(
        step('plan', async (topic: string) => {
          calls.plan++;
          return `plan for ${topic}`;
        }),
        step('write', async (plan: string) => {
          calls.write++;
          if (calls.write === 1) throw new Error('model timed out');
          return `${plan}: written`;
        }),
      ),
      { name: 'essay', store },
    );
    const { queue, events, completed, dispose } = await setUp({ essay: flow });
    const job = await enqueueWorkflow(queue, 'essay', 'tides', { jobId: 'essay-1', attempts: 2, backoff: { type: 'fixed', delayMs: 10 } });
    const outcome = (await job.waitUntilFinished(events, 20_000)) as RunOutcome<string>;
    expect(outcome).toEqual({ status: 'completed', runId: 'essay-1', output: 'plan for tides: written' });
    expect(calls).toEqual({ plan: 1, write: 2 });
    const run = await store.loadRun('essay-1');
    expect(run?.status).toBe('completed');
    expect(completed.map((event) => event.jobId)).toEqual(['essay-1']);
    await dispose();
    await store.close();
  });

  it('ends the job of a suspended run, and pool.resume() enqueues the continuation that finishes it', async () => {
    const store = new RedisRunStore({ connection: redis.client, prefix: redis.uniquePrefix('runs') });
    let drafts = 0;
    const flow = durable(
      sequential(
        step('draft', async (topic: string) => {
          drafts++;
          return `draft on ${topic}`;
        }),
        waitFor<string, string>('approval'),
        step('publish', async (verdict: string) => `published (${verdict})`),
      ),
      { name: 'review', store },
    );
    const { queue, events, pool, dispose } = await setUp({ review: flow });
    const job = await enqueueWorkflow(queue, 'review', 'moons', { jobId: 'review-1' });
    const suspended = (await job.waitUntilFinished(events, 20_000)) as RunOutcome<string>;
    expect(suspended).toMatchObject({ status: 'suspended', runId: 'review-1', waitingFor: { name: 'approval', payload: 'draft on moons' } });
    expect((await store.loadRun('review-1'))?.status).toBe('suspended');

    const continuation = await pool.resume('review', 'review-1', { value: 'approved' });
    expect(continuation.id).not.toBe('review-1');
    const finished = (await continuation.waitUntilFinished(events, 20_000)) as RunOutcome<string>;
    expect(finished).toEqual({ status: 'completed', runId: 'review-1', output: 'published (approved)' });
    expect(drafts).toBe(1);
    await dispose();
    await store.close();
  });

  it('refuses to resume a workflow that is not durable, or not in the pool, with InvalidInputError', async () => {
    const store = new RedisRunStore({ connection: redis.client, prefix: redis.uniquePrefix('runs') });
    const flow = durable(step('one', async () => 1), { name: 'one', store });
    const { pool, dispose } = await setUp({ plain: step('plain', () => 1), one: flow });
    await expect(pool.resume('plain', 'r1')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(pool.resume('missing', 'r1')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(pool.resume('one', '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await dispose();
    await store.close();
  });
});
