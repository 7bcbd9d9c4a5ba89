import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { describeHandoffQueueContract } from '@tta/agent-context/testing';
import { Queue } from 'bullmq';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { AgentHandoffPrimitive, defineAgent, type HandoffTask } from '@tta/agent-context';
import { WorkflowContext } from '@tta/primitives';
import { RedisHandoffQueue } from './redis-handoff-queue.js';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { onRedisCluster, useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisHandoffQueue', () => {
  const redis = useRedisServer();

  describeHandoffQueueContract(
    'RedisHandoffQueue',
    async () => new RedisHandoffQueue({ connection: redis.connection, prefix: redis.uniquePrefix('handoff') }),
    async (queue) => (queue as RedisHandoffQueue).close(),
  );

  const task = (to: string, input: unknown): HandoffTask => ({ id: `t-${String(input)}`, from: 'planner', to, input, correlationId: 'run-1', data: {}, history: [], enqueuedAt: 1 });

  it('hands a task queued by one process-side object to a taker on another connection', async () => {
    const prefix = redis.uniquePrefix('cross');
    const producer = new RedisHandoffQueue({ connection: redis.connection, prefix });
    const consumer = new RedisHandoffQueue({ connection: redis.connection, prefix });
    await producer.enqueue(task('reviewer', 'pr-1'));
    expect(await consumer.size('reviewer')).toBe(1);
    const delivery = await consumer.take('reviewer');
    expect(delivery?.task.input).toBe('pr-1');
    await delivery!.complete();
    await expect(delivery!.complete()).rejects.toThrow(/already/);
    expect(await producer.size('reviewer')).toBe(0);
    expect((await redis.keysWithPrefix(prefix)).every((key) => key.startsWith(`${prefix}bull:{handoff-reviewer}:handoff-reviewer:`))).toBe(true);
    await Promise.all([producer.close(), consumer.close()]);
  });

  it('offers a failed task again while attempts remain, and enqueues a task id only once', async () => {
    const queue = new RedisHandoffQueue({ connection: redis.connection, prefix: redis.uniquePrefix('retry'), attempts: 2, retryDelayMs: 0 });
    await queue.enqueue(task('coder', 'fix'));
    await queue.enqueue(task('coder', 'fix'));
    expect(await queue.size('coder')).toBe(1);
    await (await queue.take('coder'))!.fail(new Error('flaky tool'));
    await expect.poll(async () => (await queue.take('coder'))?.task.input, { timeout: 5_000 }).toBe('fix');
    await queue.close();
  });

  it('carries a queued AgentHandoffPrimitive handoff to a target drained through another connection', async () => {
    const prefix = redis.uniquePrefix('agents');
    const seen: { input: string; correlationId: string; data: unknown }[] = [];
    const reviewer = defineAgent({ id: 'reviewer', role: 'review' }, async (input: string, context) => {
      seen.push({ input, correlationId: context.correlationId, data: context.data });
      return `reviewed ${input}`;
    });
    const senderQueue = new RedisHandoffQueue({ connection: redis.connection, prefix });
    const receiverQueue = new RedisHandoffQueue({ connection: redis.connection, prefix });
    const send = new AgentHandoffPrimitive({ to: reviewer, strategy: 'queued', queue: senderQueue, preserveContext: ['repo'] });
    const result = await send.execute(WorkflowContext.create({ correlationId: 'run-77', data: { repo: 'tta', secret: 'x' } }), 'pr-5');
    expect(result).toMatchObject({ status: 'queued', agentId: 'reviewer' });
    const drain = new AgentHandoffPrimitive({ to: reviewer, strategy: 'queued', queue: receiverQueue });
    const report = await drain.drain(WorkflowContext.create());
    expect(report.completed.map((entry) => entry.output)).toEqual(['reviewed pr-5']);
    expect(seen).toEqual([{ input: 'pr-5', correlationId: 'run-77', data: { repo: 'tta' } }]);
    expect(await senderQueue.size('reviewer')).toBe(0);
    await Promise.all([senderQueue.close(), receiverQueue.close()]);
  });

  it('finishes deliveries of agents beyond maxOpenAgents, keeping an agent open while its task is out', async () => {
    const prefix = redis.uniquePrefix('lru');
    const queue = new RedisHandoffQueue({ connection: redis.connection, prefix, maxOpenAgents: 1 });
    try {
      for (const agent of ['a', 'b', 'c']) await queue.enqueue(task(agent, agent));
      const first = await queue.take('a');
      const second = await queue.take('b');
      const third = await queue.take('c');
      expect([first?.task.input, second?.task.input, third?.task.input]).toEqual(['a', 'b', 'c']);
      await first!.complete();
      await second!.fail(new Error('no'));
      await third!.complete();
      expect(await Promise.all(['a', 'b', 'c'].map((agent) => queue.size(agent)))).toEqual([0, 0, 0]);
      await queue.enqueue(task('a', 'again'));
      expect((await queue.take('a'))?.task.input).toBe('again');
    } finally {
      await queue.close();
    }
  });

  // One server's own behaviour (its URL, CLIENT PAUSE, a proxy in front of it): not run on a cluster.
  it.skipIf(onRedisCluster)('runs the example of its TSDoc as written', async () => {
    const source = await readFile(new URL('./redis-handoff-queue.ts', import.meta.url), 'utf8');
    const example = /@example\n((?: \*.*\n)+?) \*\/\nexport class RedisHandoffQueue/.exec(source)?.[1];
    expect(example).toBeDefined();
    // The example is fenced as a TypeScript code block: the fence lines are not code.
    const code = example!.split('\n').map((line) => line.replace(/^ \* ?/, '')).filter((line) => !line.startsWith('```')).join('\n');
    const transpiled = ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
    const AsyncFunction = (async () => {}).constructor as new (...parameters: string[]) => (...values: unknown[]) => Promise<{ queue: RedisHandoffQueue; report: { completed: { output: unknown }[] } }>;
    const run = new AsyncFunction('RedisHandoffQueue', 'AgentHandoffPrimitive', 'defineAgent', 'WorkflowContext', 'process', `${transpiled.outputText}\nreturn { queue, report };`);
    const { queue, report } = await run(RedisHandoffQueue, AgentHandoffPrimitive, defineAgent, WorkflowContext, { env: { REDIS_URL: redis.server.url } });
    try {
      expect(report.completed.map((entry) => entry.output)).toEqual(['reviewed pr-42']);
    } finally {
      await queue.close();
    }
  });

  it('offers a task again once the lock of a taker that never finished expires, while other tasks wait', async () => {
    const queue = new RedisHandoffQueue({ connection: redis.connection, prefix: redis.uniquePrefix('abandoned'), lockDurationMs: 500 });
    try {
      await queue.enqueue(task('coder', 'first'));
      expect((await queue.take('coder'))?.task.input).toBe('first');
      // Work still waiting keeps the agent's bookkeeping alive; it must not stop BullMQ's stalled check.
      await queue.enqueue(task('coder', 'second'));
      expect((await queue.take('coder'))?.task.input).toBe('second');
      const started = Date.now();
      let again: Awaited<ReturnType<RedisHandoffQueue['take']>>;
      while ((again = await queue.take('coder')) === undefined && Date.now() - started < 4_000) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(again?.task.input).toBe('first');
      await again!.complete();
    } finally {
      await queue.close();
    }
  });

  // One server's own behaviour (its URL, CLIENT PAUSE, a proxy in front of it): not run on a cluster.
  it.skipIf(onRedisCluster)('under CLIENT PAUSE fails take and enqueue within the command timeout, hands a late-fetched task straight back, and works once the pause ends', async () => {
    // A lock far longer than the test: only the hand-back, not the stalled check, can bring the task back.
    const queue = new RedisHandoffQueue({ connection: { ...redis.connection, commandTimeoutMs: 200 }, prefix: redis.uniquePrefix('paused'), lockDurationMs: 60_000 });
    try {
      await queue.enqueue(task('coder', 'first'));
      await redis.client.call('CLIENT', 'PAUSE', '800', 'WRITE');
      const started = Date.now();
      const take = await queue.take('coder').catch((error: unknown) => error);
      const enqueue = await queue.enqueue(task('reviewer', 'new')).catch((error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(1_000);
      for (const error of [take, enqueue]) {
        expect(RedisUnavailableError.isInstance(error), String(error)).toBe(true);
        expect((error as RedisUnavailableError).maybeApplied).toBe(true);
      }
      expect((enqueue as RedisUnavailableError).retryKey).toBe('t-new');
      await new Promise((resolve) => setTimeout(resolve, 900));
      // The fetch ran when the pause ended; its task went back to the queue at once.
      await expect.poll(async () => (await queue.take('coder'))?.task.input, { timeout: 2_000, interval: 50 }).toBe('first');
      // The enqueue that timed out landed too: retried with the same task, it is still there once.
      await queue.enqueue(task('reviewer', 'new'));
      expect(await queue.size('reviewer')).toBe(1);
    } finally {
      await redis.client.call('CLIENT', 'UNPAUSE');
      await queue.close();
    }
  });

  it('refuses bad options at construction', () => {
    expect(() => new RedisHandoffQueue({ connection: redis.connection, maxOpenAgents: 0 })).toThrow(/maxOpenAgents/);
    expect(() => new RedisHandoffQueue({ connection: redis.connection, idleAgentTtlMs: 0 })).toThrow(/idleAgentTtlMs/);
    expect(() => new RedisHandoffQueue({ connection: redis.connection, attempts: 0 })).toThrow(InvalidOptionsError);
    expect(() => new RedisHandoffQueue({ connection: redis.connection, attempts: 0 })).toThrow('RedisHandoffQueue: option "attempts" must be an integer >= 1');
  });

  it('refuses a task without a target and an empty agent id with InvalidInputError', async () => {
    const queue = new RedisHandoffQueue({ connection: redis.connection, prefix: redis.uniquePrefix('input') });
    const noTarget = queue.enqueue({ ...task('x', 'fix'), to: '' });
    await expect(noTarget).rejects.toBeInstanceOf(InvalidInputError);
    await expect(noTarget).rejects.toThrow('RedisHandoffQueue.enqueue: task.to must be a non-empty agent id (got "")');
    await expect(queue.enqueue(null as never)).rejects.toThrow('RedisHandoffQueue.enqueue: task.to must be a non-empty agent id (got undefined)');
    const emptyId = queue.size('');
    await expect(emptyId).rejects.toBeInstanceOf(InvalidInputError);
    await expect(emptyId).rejects.toThrow('RedisHandoffQueue: agent id must be a non-empty string (got "")');
    await expect(queue.take(42 as never)).rejects.toThrow('RedisHandoffQueue: agent id must be a non-empty string (got 42)');
    await queue.close();
  });

  it('fails a task with a reason String() cannot print, and keeps a string reason as it is', async () => {
    const prefix = redis.uniquePrefix('reasons');
    const queue = new RedisHandoffQueue({ connection: redis.connection, prefix });
    await queue.enqueue(task('coder', 'a'));
    await queue.enqueue(task('coder', 'b'));
    await (await queue.take('coder'))!.fail(Object.create(null));
    await (await queue.take('coder'))!.fail('tool crashed');
    const failed = new Queue('handoff-coder', { connection: redis.client, prefix: `${prefix}bull:{handoff-coder}` });
    const reasons = (await failed.getFailed()).map((job) => job.failedReason).sort();
    expect(reasons).toEqual(['an object', 'tool crashed']);
    await Promise.all([failed.close(), queue.close()]);
  });
});
