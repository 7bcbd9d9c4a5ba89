import { randomUUID } from 'node:crypto';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { InvalidInputError, InvalidOptionsError, assertDuration, describeValue } from '@tta/primitives';
import { assertWellFormedName, copyPlainData, type HandoffDelivery, type HandoffQueue, type HandoffTask } from '@tta/agent-context';
import { validatePrefix, type RedisConnection } from './connection.js';
import { blockingConnection, producerConnection } from './bullmq-connection.js';
import { bullPrefix } from './key-layout.js';
import { HandoffLockLostError } from './errors/handoff-lock-lost-error.js';
import { guard } from './redis-call.js';
import { assertOptionsObject } from './validate-options.js';

/** Options of {@link RedisHandoffQueue}. */
export interface RedisHandoffQueueOptions {
  /** An ioredis client (shared for adding tasks) or connection options. @default {} (127.0.0.1:6379) */
  readonly connection?: RedisConnection;
  /** Key prefix; a queue's keys are `<prefix>bull:{handoff-<agentId>}:handoff-<agentId>:...`. @default 'tta:' */
  readonly prefix?: string;
  /** Times a task is offered before a `fail` is final (BullMQ attempts). @default 1 */
  readonly attempts?: number;
  /** Pause before a failed task is offered again. @default 1_000 */
  readonly retryDelayMs?: number;
  /**
   * How long a taken task may stay unfinished; after it (the taker died, or forgot to call
   * `complete` / `fail`) BullMQ's stalled-job check offers it again.
   * @default 300_000
   */
  readonly lockDurationMs?: number;
}

/**
 * The `HandoffQueue` of `queued` handoffs on BullMQ: one BullMQ queue per target agent
 * (`handoff-<agentId>`), so an agent's tasks wait in Redis until a process that runs that agent
 * takes them, each task to exactly one taker. `fail` retries by `attempts` (BullMQ's backoff);
 * a taken task that is never finished comes back after `lockDurationMs`. Tasks travel as JSON.
 *
 * @example
 * const queue = new RedisHandoffQueue({ connection: { url: process.env.REDIS_URL } });
 * const handoff = new AgentHandoffPrimitive({ mode: 'queued', to: 'reviewer', queue });
 * // in the reviewer's process:
 * const delivery = await queue.take('reviewer');
 */
export class RedisHandoffQueue implements HandoffQueue {
  private readonly prefix: string;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly lockDurationMs: number;
  private readonly producer: ConnectionOptions;
  private readonly consumer: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private closed = false;

  constructor(options: RedisHandoffQueueOptions = {}) {
    const kind = 'RedisHandoffQueue';
    assertOptionsObject(kind, options);
    const attempts = options.attempts ?? 1;
    if (!Number.isInteger(attempts) || attempts < 1) throw new InvalidOptionsError(kind, 'attempts', 'must be an integer >= 1');
    const retryDelayMs = options.retryDelayMs ?? 1_000;
    assertDuration(kind, 'retryDelayMs', retryDelayMs);
    const lockDurationMs = options.lockDurationMs ?? 300_000;
    assertDuration(kind, 'lockDurationMs', lockDurationMs, { integer: true, positive: true });
    this.prefix = validatePrefix(kind, options.prefix);
    this.attempts = attempts;
    this.retryDelayMs = retryDelayMs;
    this.lockDurationMs = lockDurationMs;
    this.producer = producerConnection(options.connection);
    // One connection for every agent's consumer side (BullMQ adds its own blocking one per worker).
    this.consumer = new Redis(blockingConnection(options.connection) as RedisOptions);
    this.consumer.on('error', () => {});
  }

  async enqueue(task: HandoffTask): Promise<void> {
    if (typeof task?.to !== 'string' || task.to.length === 0) {
      throw new InvalidInputError('RedisHandoffQueue.enqueue', `task.to must be a non-empty agent id (got ${describeValue((task as { to?: unknown } | null | undefined)?.to)})`);
    }
    // The in-memory queue's rule: a task JSON would change (Date, Map, NaN, BigInt...) is refused, typed.
    const plain = copyPlainData('RedisHandoffQueue.enqueue', 'the task', task);
    const queue = this.queue(task.to);
    // The task id makes enqueueing idempotent, where BullMQ allows it as a job id.
    const jobId = typeof task.id === 'string' && task.id.length > 0 && !task.id.includes(':') && !/^\d+$/.test(task.id) ? task.id : undefined;
    await guard('RedisHandoffQueue.enqueue', () =>
      queue.add('handoff', plain, {
        ...(jobId === undefined ? {} : { jobId }),
        attempts: this.attempts,
        backoff: { type: 'fixed', delay: this.retryDelayMs },
        removeOnComplete: true,
        removeOnFail: { count: 1_000 },
      }),
    );
  }

  async take(agentId: string): Promise<HandoffDelivery | undefined> {
    const worker = this.worker(agentId);
    const token = randomUUID();
    const job = (await guard('RedisHandoffQueue.take', () => worker.getNextJob(token, { block: false }))) as Job<HandoffTask> | undefined;
    if (job === undefined || job === null) return undefined;
    let settled = false;
    const settle = (): void => {
      if (settled) throw new Error('RedisHandoffQueue: this delivery is already completed or failed');
      settled = true;
    };
    return {
      task: job.data,
      complete: async () => {
        settle();
        await guard('RedisHandoffQueue.complete', () => settleJob(job, agentId, () => job.moveToCompleted(null, token, false)));
      },
      fail: async (error: unknown) => {
        settle();
        const reason = error instanceof Error ? error : new Error(typeof error === 'string' ? error : describeValue(error));
        await guard('RedisHandoffQueue.fail', () => settleJob(job, agentId, () => job.moveToFailed(reason, token, false)));
      },
    };
  }

  async size(agentId: string): Promise<number> {
    const queue = this.queue(agentId);
    return guard('RedisHandoffQueue.size', () => queue.getJobCountByTypes('waiting', 'prioritized', 'delayed'));
  }

  /** Closes every queue and worker this object opened. */
  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const worker of this.workers.values()) closing.push(worker.close(true));
    for (const queue of this.queues.values()) closing.push(queue.close());
    this.workers.clear();
    this.queues.clear();
    await Promise.allSettled(closing);
    this.consumer.disconnect();
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private queueName(agentId: string): string {
    if (typeof agentId !== 'string' || agentId.length === 0) {
      throw new InvalidInputError('RedisHandoffQueue', `agent id must be a non-empty string (got ${describeValue(agentId)})`);
    }
    // A raw URIError from encodeURIComponent otherwise; refused typed, as the in-memory queue does.
    assertWellFormedName('RedisHandoffQueue', 'agent id', agentId);
    return `handoff-${encodeURIComponent(agentId)}`;
  }

  private queue(agentId: string): Queue {
    if (this.closed) throw new Error('RedisHandoffQueue: used after close');
    const name = this.queueName(agentId);
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new Queue(name, { connection: this.producer, prefix: bullPrefix(this.prefix, name) });
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  private worker(agentId: string): Worker {
    if (this.closed) throw new Error('RedisHandoffQueue: used after close');
    const name = this.queueName(agentId);
    let worker = this.workers.get(name);
    if (worker === undefined) {
      worker = new Worker(name, null, { connection: this.consumer, prefix: bullPrefix(this.prefix, name), autorun: false, lockDuration: this.lockDurationMs });
      worker.on('error', () => {});
      // Manual fetching has no lock renewal: the stalled check hands back tasks whose taker vanished.
      worker.startStalledCheckTimer().catch(() => {});
      this.workers.set(name, worker);
    }
    return worker;
  }
}

// BullMQ's codes for a job whose lock or key is gone, or that is no longer active: the taker was too slow.
const lostLockCodes = new Set([-1, -2, -3, -6]);

/** Runs a BullMQ finishing call; a refusal because the task's lock expired becomes {@link HandoffLockLostError}. */
async function settleJob(job: Job<HandoffTask>, agentId: string, finish: () => Promise<unknown>): Promise<void> {
  try {
    await finish();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'number' && lostLockCodes.has(code)) throw new HandoffLockLostError(job.id ?? '', agentId, { cause: error });
    throw error;
  }
}
