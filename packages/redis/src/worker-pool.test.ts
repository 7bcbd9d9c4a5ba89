import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionsError, step, WorkflowContext } from '@tta/primitives';
import type { SpanContextLike } from '@tta/primitives/instrumentation';
import { WorkerPool, type WorkflowJobEvent } from './worker-pool.js';
import { createWorkflowQueue, createWorkflowQueueEvents, enqueueWorkflow } from './enqueue-workflow.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('WorkerPool and enqueueWorkflow', () => {
  const redis = useRedisServer();

  /** A queue, its events and a pool on one fresh prefix; `dispose` closes them all. */
  async function setUp(workflows: ConstructorParameters<typeof WorkerPool>[0]['workflows'], options: Partial<ConstructorParameters<typeof WorkerPool>[0]> = {}) {
    const prefix = redis.uniquePrefix('pool');
    const connection = redis.connection;
    // The producer side finds the pool's queue from the same workflows (or the same explicit queueName).
    const names = options.queueName === undefined ? { workflows } : { queueName: options.queueName };
    const queue = createWorkflowQueue({ connection, prefix, ...names });
    const events = createWorkflowQueueEvents({ connection, prefix, ...names });
    const pool = new WorkerPool({ connection, prefix, workflows, ...options });
    await Promise.all([events.waitUntilReady(), pool.waitUntilReady()]);
    return {
      prefix,
      queue,
      events,
      pool,
      dispose: () => Promise.all([pool.close(), events.close(), queue.close()]),
    };
  }

  it('renews a lock longer than 99 days on a timer in range, not every millisecond', async () => {
    let overflows = 0;
    const onWarning = (warning: Error): void => {
      if (warning.name === 'TimeoutOverflowWarning') overflows++;
    };
    process.on('warning', onWarning);
    try {
      const { dispose } = await setUp({ one: step('one', () => 1) }, { lockDurationMs: 2 ** 40 });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await dispose();
    } finally {
      process.off('warning', onWarning);
    }
    expect(overflows).toBe(0);
  });

  it('refuses a stalledIntervalMs beyond the host timer range with InvalidOptionsError', () => {
    const build = () => new WorkerPool({ connection: redis.connection, prefix: redis.uniquePrefix('pool'), workflows: { one: step('one', () => 1) }, stalledIntervalMs: 2 ** 31, autorun: false });
    expect(build).toThrow(InvalidOptionsError);
    expect(build).toThrow('stalledIntervalMs');
  });

  it('runs the named workflow on the job input and returns its output, carrying the run across the queue', async () => {
    let seen: WorkflowContext | undefined;
    const greet = step('greet', async (input: { name: string }, context) => {
      seen = context;
      return `hello ${input.name}`;
    });
    const { queue, events, pool, dispose } = await setUp({ greet });
    const completed: WorkflowJobEvent[] = [];
    pool.onCompleted((event) => completed.push(event));
    const parentSpanContext: SpanContextLike = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1, traceState: 'v=1' };
    const context = WorkflowContext.create({ correlationId: 'run-1', parentSpanContext, baggage: { tenant: 'acme' }, data: { locale: 'fr' }, timeoutMs: 60_000 });
    const job = await enqueueWorkflow(queue, 'greet', { name: 'Ada' }, { context });
    expect(await job.waitUntilFinished(events, 10_000)).toBe('hello Ada');
    expect(seen?.correlationId).toBe('run-1');
    expect(seen?.parentSpanContext).toEqual({ ...parentSpanContext, isRemote: true });
    expect(seen?.baggage).toEqual({ tenant: 'acme' });
    expect(seen?.data).toEqual({ locale: 'fr' });
    expect(seen?.deadline).toBe(context.deadline);
    await expect.poll(() => completed).toEqual([{ jobId: job.id, workflow: 'greet', correlationId: 'run-1', attemptsMade: 1, output: 'hello Ada' }]);
    await dispose();
  });

  it('retries a failing workflow as many times as the job allows (BullMQ attempts)', async () => {
    let calls = 0;
    const flaky = step('flaky', async () => {
      calls++;
      if (calls < 3) throw new Error(`failure ${calls}`);
      return calls;
    });
    const { queue, events, dispose } = await setUp({ flaky });
    const job = await enqueueWorkflow(queue, 'flaky', null, { attempts: 3, backoff: { type: 'fixed', delayMs: 10 } });
    expect(await job.waitUntilFinished(events, 10_000)).toBe(3);
    await dispose();
  });

  it('hands a job for a workflow it lacks back to a shared queue, where a pool that has it runs it', async () => {
    const { prefix, queue, events, pool, dispose } = await setUp({ known: step('known', async (input: number) => input + 1) }, { foreignJobDelayMs: 50, queueName: 'shared' });
    const failed: WorkflowJobEvent[] = [];
    pool.onFailed((event) => failed.push(event));
    const job = await enqueueWorkflow(queue, 'other', 41, { attempts: 1 });
    const plain = await enqueueWorkflow(queue, 'known', 1);
    expect(await plain.waitUntilFinished(events, 10_000)).toBe(2);
    // The pool without 'other' keeps giving it back: never failed, never completed, its attempts untouched.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failed).toEqual([]);
    expect(['delayed', 'wait', 'waiting', 'active']).toContain(await queue.getJobState(job.id!));
    expect((await queue.getJob(job.id!))?.attemptsMade).toBe(0);
    const other = new WorkerPool({ connection: redis.connection, prefix, queueName: 'shared', workflows: { other: step('other', async (input: number) => input * 2) } });
    try {
      expect(await job.waitUntilFinished(events, 10_000)).toBe(82);
    } finally {
      await other.close();
    }
    expect(failed).toEqual([]);
    await dispose();
  });

  it('two pools with different workflows on one explicit queue run every job, none failed', async () => {
    // A hand-back delay shorter than a pool's hand-back and next fetch (tens of ms on a loaded 2-core box)
    // is already over when that pool fetches again: it takes back the job it just handed back, and two
    // pools each holding the other's job pass them back and forth for as long as the load lasts.
    const foreignJobDelayMs = 100;
    const { prefix, queue, events, pool, dispose } = await setUp({ a: step('a', async (input: number) => `a${input}`) }, { foreignJobDelayMs, queueName: 'shared' });
    const b = new WorkerPool({ connection: redis.connection, prefix, queueName: 'shared', workflows: { b: step('b', async (input: number) => `b${input}`) }, foreignJobDelayMs });
    const failed: WorkflowJobEvent[] = [];
    pool.onFailed((event) => failed.push(event));
    b.onFailed((event) => failed.push(event));
    try {
      const jobs = await Promise.all(Array.from({ length: 10 }, (_, index) => enqueueWorkflow(queue, index % 2 === 0 ? 'a' : 'b', index)));
      const outputs = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 15_000)));
      expect(outputs).toEqual(Array.from({ length: 10 }, (_, index) => `${index % 2 === 0 ? 'a' : 'b'}${index}`));
      expect(failed).toEqual([]);
    } finally {
      await b.close();
      await dispose();
    }
  });

  it('two pools with different workflows and default options each run their own jobs on their own queue, none failed', async () => {
    const prefix = redis.uniquePrefix('derived');
    const connection = redis.connection;
    const ranIn: string[] = [];
    const billing = new WorkerPool({ connection, prefix, workflows: { bill: step('bill', async (n: number) => (ranIn.push('billing'), `bill-${n}`)), refund: step('refund', async (n: number) => -n) } });
    const mailing = new WorkerPool({ connection, prefix, workflows: { mail: step('mail', async (n: number) => (ranIn.push('mailing'), `mail-${n}`)) } });
    // Another process's producer finds the billing queue from the same names, in any order.
    const remote = createWorkflowQueue({ connection, prefix, workflows: ['refund', 'bill'] });
    const billingEvents = createWorkflowQueueEvents({ connection, prefix, workflows: ['bill', 'refund'] });
    const mailingEvents = createWorkflowQueueEvents({ connection, prefix, workflows: ['mail'] });
    const failed: WorkflowJobEvent[] = [];
    billing.onFailed((event) => failed.push(event));
    mailing.onFailed((event) => failed.push(event));
    try {
      expect([billing.queueName, mailing.queueName]).toEqual(['workflows-bill,refund', 'workflows-mail']);
      expect(remote.name).toBe(billing.queueName);
      await Promise.all([billingEvents.waitUntilReady(), mailingEvents.waitUntilReady()]);
      const bills = await Promise.all([1, 2, 3].map((n) => (n === 2 ? enqueueWorkflow(remote, 'bill', n) : billing.enqueue('bill', n))));
      const mails = await Promise.all([1, 2, 3].map((n) => mailing.enqueue('mail', n)));
      expect(await Promise.all(bills.map((job) => job.waitUntilFinished(billingEvents, 10_000)))).toEqual(['bill-1', 'bill-2', 'bill-3']);
      expect(await Promise.all(mails.map((job) => job.waitUntilFinished(mailingEvents, 10_000)))).toEqual(['mail-1', 'mail-2', 'mail-3']);
      expect(ranIn.sort()).toEqual(['billing', 'billing', 'billing', 'mailing', 'mailing', 'mailing']);
      expect(failed).toEqual([]);
      // A job no pool on the queue could run is refused before it is sent, not left waiting forever.
      await expect(billing.enqueue('mail', 1)).rejects.toThrow("WorkerPool.enqueue: workflow must be one of this pool's workflows (bill, refund; got \"mail\")");
      await expect(enqueueWorkflow(remote, 'mail', 1)).rejects.toThrow(InvalidInputError);
      expect(await remote.getJobCounts('waiting', 'delayed', 'failed')).toEqual({ waiting: 0, delayed: 0, failed: 0 });
    } finally {
      await Promise.all([billing.close(), mailing.close(), remote.close(), billingEvents.close(), mailingEvents.close()]);
    }
  });

  it('gives the workflow its job id as context.runId, the same on every attempt', async () => {
    const seen: (string | undefined)[] = [];
    const flaky = step('flaky', async (_input: unknown, context) => {
      seen.push(context.runId);
      if (seen.length < 2) throw new Error('first attempt fails');
      return context.runId;
    });
    const { events, pool, dispose } = await setUp({ flaky });
    const job = await pool.enqueue('flaky', null, { jobId: 'charge-42', attempts: 2, backoff: { type: 'fixed', delayMs: 10 } });
    expect(await job.waitUntilFinished(events, 10_000)).toBe('charge-42');
    expect(seen).toEqual(['charge-42', 'charge-42']);
    await dispose();
  });

  it('keeps at most `removeOnComplete` finished jobs, and a bounded number by default', async () => {
    const { queue, events, pool, dispose } = await setUp({ work: step('work', async (input: number) => input) }, { removeOnComplete: 3, removeOnFail: { count: 2, ageMs: 60_000 } });
    for (let index = 0; index < 8; index++) await (await enqueueWorkflow(queue, 'work', index)).waitUntilFinished(events, 10_000);
    expect(await queue.getCompletedCount()).toBe(3);
    expect(pool.worker.opts.removeOnFail).toEqual({ count: 2, age: 60 });
    await dispose();
    const defaults = new WorkerPool({ connection: redis.connection, prefix: redis.uniquePrefix('defaults'), workflows: { work: step('work', async () => 1) }, autorun: false });
    expect(defaults.worker.opts.removeOnComplete).toEqual({ count: 1_000, age: 86_400 });
    expect(defaults.worker.opts.removeOnFail).toEqual({ count: 10_000, age: 604_800 });
    await defaults.close();
  });

  it('removes a finished job older than `removeOnComplete.ageMs` when the next one finishes', async () => {
    const { queue, events, dispose } = await setUp({ work: step('work', async (input: number) => input) }, { removeOnComplete: { ageMs: 1_000 } });
    const first = await enqueueWorkflow(queue, 'work', 1);
    await first.waitUntilFinished(events, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await (await enqueueWorkflow(queue, 'work', 2)).waitUntilFinished(events, 10_000);
    expect(await queue.getJob(first.id!)).toBeUndefined();
    expect(await queue.getCompletedCount()).toBe(1);
    await dispose();
  });

  it('delays a job, keeps a job id idempotent, and generates a correlation id when none is given', async () => {
    let correlationId: string | undefined;
    const { queue, events, dispose } = await setUp({ work: step('work', async (_input: unknown, context) => (correlationId = context.correlationId)) });
    const delayed = await enqueueWorkflow(queue, 'work', 1, { delayMs: 60_000, jobId: 'once' });
    expect(await delayed.getState()).toBe('delayed');
    const again = await enqueueWorkflow(queue, 'work', 2, { jobId: 'once' });
    expect(again.id).toBe('once');
    expect(await queue.getDelayedCount()).toBe(1);
    const now = await enqueueWorkflow(queue, 'work', 3);
    await now.waitUntilFinished(events, 10_000);
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    await dispose();
  });

  it('runs jobs concurrently up to its concurrency', async () => {
    let running = 0;
    let peak = 0;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = step('slow', async () => {
      running++;
      peak = Math.max(peak, running);
      // Hold every job until three run at once: proves three run together, and no more ever do.
      if (running >= 3) open();
      await gate;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    const { queue, events, dispose } = await setUp({ slow }, { concurrency: 3 });
    const jobs = await Promise.all(Array.from({ length: 9 }, () => enqueueWorkflow(queue, 'slow', null)));
    await Promise.all(jobs.map((job) => job.waitUntilFinished(events, 10_000)));
    expect(peak).toBe(3);
    await dispose();
  });

  it('aborts the running workflow when closed by force', async () => {
    let reason: unknown;
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const endless = step('endless', (_input: unknown, context) =>
      new Promise<never>((_resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          reason = context.abortReason;
          reject(context.abortReason);
        }, { once: true });
        started();
      }),
    );
    const { queue, pool, events, dispose } = await setUp({ endless });
    await enqueueWorkflow(queue, 'endless', null);
    await startedPromise;
    await pool.close(true);
    expect(reason).toBeDefined();
    await Promise.all([events.close(), queue.close()]);
    await dispose().catch(() => undefined);
  });

  it('refuses bad options at construction', () => {
    const work = step('work', async () => 1);
    expect(() => new WorkerPool({ workflows: {} })).toThrow(InvalidOptionsError);
    expect(() => new WorkerPool({ workflows: { work: (async () => 1) as never } })).toThrow(/workflows.work/);
    expect(() => new WorkerPool({ workflows: { work }, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new WorkerPool({ workflows: { work }, queueName: 'a:b' })).toThrow(/queueName/);
    expect(() => new WorkerPool({ workflows: { work }, removeOnComplete: -1 })).toThrow(/removeOnComplete/);
    expect(() => new WorkerPool({ workflows: { work }, removeOnFail: { ageMs: Number.NaN } })).toThrow(/removeOnFail/);
    expect(() => new WorkerPool({ workflows: { work }, removeOnFail: {} })).toThrow(/removeOnFail/);
    expect(() => new WorkerPool({ workflows: { work }, foreignJobDelayMs: -5 })).toThrow(/foreignJobDelayMs/);
    expect(() => createWorkflowQueue({ prefix: 'x*', queueName: 'q' })).toThrow(InvalidOptionsError);
    expect(() => new WorkerPool({ workflows: { '': work } })).toThrow('WorkerPool: option "workflows" must not register a workflow under the empty name');
    // Without workflows or a queue name, no pool's queue can be found: refused rather than a queue nobody reads.
    expect(() => createWorkflowQueue({})).toThrow('createWorkflowQueue: option "workflows" must be given');
    expect(() => createWorkflowQueueEvents({ workflows: [] })).toThrow('createWorkflowQueueEvents: option "workflows" must name at least one workflow');
  });

  it('refuses an empty workflow name and null options when enqueueing, with InvalidInputError', async () => {
    const queue = createWorkflowQueue({ connection: redis.connection, prefix: redis.uniquePrefix('enqueue'), queueName: 'enqueue' });
    const unnamed = enqueueWorkflow(queue, '', 1);
    await expect(unnamed).rejects.toBeInstanceOf(InvalidInputError);
    await expect(unnamed).rejects.toThrow('enqueueWorkflow: workflow must be a non-empty name (got "")');
    await expect(enqueueWorkflow(queue, Object.create(null) as never, 1)).rejects.toThrow('enqueueWorkflow: workflow must be a non-empty name (got an object)');
    await expect(enqueueWorkflow(queue, 'work', 1, null as never)).rejects.toThrow('enqueueWorkflow: options must be an object when given (got null)');
    expect(await queue.getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 0 });
    await queue.close();
  });
});
