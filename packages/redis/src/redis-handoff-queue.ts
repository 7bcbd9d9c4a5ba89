import { randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { assertDuration, describeValue } from '@tta/primitives/instrumentation';
import { assertWellFormedName, copyPlainData, type HandoffDelivery, type HandoffQueue, type HandoffTask } from '@tta/agent-context';
import { commandTimeoutOf, resolveConnection, validatePrefix, type RedisClient, type RedisConnection } from './connection.js';
import { withCommandTimeout } from './command-timeout.js';
import { refreshIdleExpiry } from './handoff-idle-expiry.js';
import { blockingClient } from './bullmq-connection.js';
import { bullPrefix } from './key-layout.js';
import { HandoffLockLostError } from './errors/handoff-lock-lost-error.js';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { closeClient, guard } from './redis-call.js';
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
  /**
   * An agent whose queue holds no waiting, running or delayed task for this long is forgotten: its
   * BullMQ bookkeeping keys (and its kept failed tasks) expire, so agents that come and go leave
   * nothing behind. A new task for it starts a fresh queue.
   * @default 86_400_000 (a day)
   */
  readonly idleAgentTtlMs?: number;
  /**
   * Agents whose consumer side (a BullMQ worker with one blocking connection) stays open at once;
   * the least recently used idle one is closed beyond it, and opened again by its next `take`.
   * Agents with a task taken and not yet finished stay open.
   * @default 8
   */
  readonly maxOpenAgents?: number;
}

/**
 * The `HandoffQueue` of `queued` handoffs on BullMQ: one BullMQ queue per target agent
 * (`handoff-<agentId>`), so an agent's tasks wait in Redis until a process that runs that agent
 * takes them, each task to exactly one taker. `fail` retries by `attempts` (BullMQ's backoff);
 * a taken task that is never finished comes back after `lockDurationMs`. Tasks travel as JSON.
 * Connections stay bounded (`maxOpenAgents` consumers plus two), an idle agent's keys expire after
 * `idleAgentTtlMs`, and every call is limited by the connection's `commandTimeoutMs`.
 *
 * @example
 * ```ts
 * const queue = new RedisHandoffQueue({ connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' } });
 * const reviewer = defineAgent({ id: 'reviewer', role: 'review' }, async (pr: string) => `reviewed ${pr}`);
 * const handoff = new AgentHandoffPrimitive({ to: reviewer, strategy: 'queued', queue });
 * await handoff.execute(WorkflowContext.create(), 'pr-42'); // { status: 'queued', agentId: 'reviewer', ... }
 * // in the reviewer's process (another RedisHandoffQueue on the same Redis): run what waits for it
 * const report = await handoff.drain(WorkflowContext.create()); // report.completed[0].output === 'reviewed pr-42'
 * ```
 */
export class RedisHandoffQueue implements HandoffQueue {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly prefix: string;
  private readonly attempts: number;
  private readonly retryDelayMs: number;
  private readonly lockDurationMs: number;
  private readonly idleAgentTtlMs: number;
  private readonly maxOpenAgents: number;
  private readonly commandTimeoutMs: number;
  private readonly producer: RedisClient;
  private readonly ownsProducer: boolean;
  private readonly consumer: RedisClient;
  private readonly queues = new Map<string, Queue>();
  // In least-recently-used order (a Map keeps insertion order: a use re-inserts).
  private readonly workers = new Map<string, OpenWorker>();
  // Workers replaced after a failed call, still finishing a late fetch or delivery (see retireOnFailure).
  private readonly retired = new Set<OpenWorker>();
  private closed = false;

  constructor(options: RedisHandoffQueueOptions = {}) {
    const kind = 'RedisHandoffQueue';
    assertOptionsObject(kind, options, ['connection', 'prefix', 'attempts', 'retryDelayMs', 'lockDurationMs', 'idleAgentTtlMs', 'maxOpenAgents'] satisfies (keyof RedisHandoffQueueOptions)[]);
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
    const idleAgentTtlMs = options.idleAgentTtlMs ?? 86_400_000;
    assertDuration(kind, 'idleAgentTtlMs', idleAgentTtlMs, { integer: true, positive: true });
    const maxOpenAgents = options.maxOpenAgents ?? 8;
    if (!Number.isInteger(maxOpenAgents) || maxOpenAgents < 1) throw new InvalidOptionsError(kind, 'maxOpenAgents', 'must be an integer >= 1');
    this.idleAgentTtlMs = idleAgentTtlMs;
    this.maxOpenAgents = maxOpenAgents;
    // Every agent's Queue shares one client: BullMQ opens a connection per Queue given only options.
    const { client, owned } = resolveConnection(options.connection);
    this.producer = client;
    this.ownsProducer = owned;
    // The consumer connection blocks by design (no command timeout): calls on it get the store's limit here.
    this.commandTimeoutMs = commandTimeoutOf(this.producer);
    // One connection for every agent's consumer side (BullMQ adds its own blocking one per worker).
    this.consumer = blockingClient(options.connection);
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
    try {
      // BullMQ waits for its connection to be ready before it sends anything: the timeout bounds that too.
      await this.limitedCall('RedisHandoffQueue.enqueue', () =>
        queue.add('handoff', plain, {
          ...(jobId === undefined ? {} : { jobId }),
          attempts: this.attempts,
          backoff: { type: 'fixed', delay: this.retryDelayMs },
          removeOnComplete: true,
          removeOnFail: { count: 1_000 },
        }),
      );
    } catch (error) {
      this.retireQueueOnFailure(queue, error);
      // A maybe-applied add is retried safely with the same task: its id is the job id.
      if (!RedisUnavailableError.isInstance(error) || jobId === undefined) throw error;
      throw new RedisUnavailableError('RedisHandoffQueue.enqueue', { cause: error.cause, maybeApplied: error.maybeApplied, retryKey: jobId });
    }
    await this.refreshExpiry(queue);
  }

  async take(agentId: string): Promise<HandoffDelivery | undefined> {
    // Held open while the fetch or the delivery is outstanding: its job finishes through this worker.
    const open = this.acquireWorker(agentId);
    const token = randomUUID();
    let job: Job<HandoffTask> | undefined;
    const fetch = open.worker.getNextJob(token, { block: false }) as Promise<Job<HandoffTask> | undefined>;
    try {
      job = await this.limitedCall('RedisHandoffQueue.take', () => fetch);
    } catch (error) {
      this.retireOnFailure(open, error);
      // The caller gave up, but the fetch may still take a task when the server answers late: hand
      // it straight back. A fetch whose reply is lost (a dropped connection) leaves its task locked
      // until lockDurationMs, when the stalled check offers it again. The worker stays open meanwhile,
      // at most that long: by then the stalled check has the task in hand anyway.
      withCommandTimeout('RedisHandoffQueue.take', this.lockDurationMs, () => fetch, { background: true })
        .then((late) => (late ? this.handBack(late, token) : undefined))
        .catch(() => {})
        .finally(() => this.release(open));
      throw error;
    }
    if (job === undefined || job === null) {
      this.release(open);
      await this.refreshExpiry(this.queue(agentId));
      return undefined;
    }
    const taken = job;
    let settled = false;
    const settle = (): void => {
      if (settled) throw new Error('RedisHandoffQueue: this delivery is already completed or failed');
      settled = true;
    };
    const finish = async (operation: string, call: () => Promise<unknown>): Promise<void> => {
      try {
        await this.limitedCall(operation, () => settleJob(taken, agentId, call));
      } catch (error) {
        this.retireOnFailure(open, error);
        throw error;
      } finally {
        this.release(open);
      }
      await this.refreshExpiry(this.queue(agentId));
    };
    return {
      task: taken.data,
      complete: async () => {
        settle();
        await finish('RedisHandoffQueue.complete', () => taken.moveToCompleted(null, token, false));
      },
      fail: async (error: unknown) => {
        settle();
        const reason = error instanceof Error ? error : new Error(typeof error === 'string' ? error : describeValue(error));
        await finish('RedisHandoffQueue.fail', () => taken.moveToFailed(reason, token, false));
      },
    };
  }

  async size(agentId: string): Promise<number> {
    const queue = this.queue(agentId);
    try {
      return await this.limitedCall('RedisHandoffQueue.size', () => queue.getJobCountByTypes('waiting', 'prioritized', 'delayed'));
    } catch (error) {
      this.retireQueueOnFailure(queue, error);
      throw error;
    }
  }

  /** Closes every queue and worker this object opened. */
  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const open of this.workers.values()) closing.push(open.worker.close(true));
    // A replaced worker may stay wedged on its failed call: closed, but not waited for.
    for (const open of this.retired) open.worker.close(true).catch(() => {});
    for (const queue of this.queues.values()) closing.push(queue.close());
    this.workers.clear();
    this.retired.clear();
    this.queues.clear();
    await Promise.allSettled(closing);
    this.consumer.disconnect();
    await closeClient(this.producer, this.ownsProducer);
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
      // skipVersionCheck: BullMQ's start-up INFO, timed out once, would fail every later call of the queue.
      queue = new Queue(name, { connection: this.producer, prefix: bullPrefix(this.prefix, name), skipVersionCheck: true });
      queue.on('error', () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** The agent's worker, counted as in use (see {@link release}) before any eviction can pick it. */
  private acquireWorker(agentId: string): OpenWorker {
    if (this.closed) throw new Error('RedisHandoffQueue: used after close');
    const name = this.queueName(agentId);
    let open = this.workers.get(name);
    if (open === undefined) {
      const worker = new Worker(name, null, {
        connection: this.consumer,
        prefix: bullPrefix(this.prefix, name),
        autorun: false,
        lockDuration: this.lockDurationMs,
        // BullMQ's 30 s default would let an abandoned task wait long after its lock expired.
        stalledInterval: Math.min(this.lockDurationMs, 30_000),
      });
      worker.on('error', () => {});
      // Manual fetching has no lock renewal: the stalled check hands back tasks whose taker vanished.
      // It also runs when a closed agent is opened again, so its abandoned tasks still come back.
      worker.startStalledCheckTimer().catch(() => {});
      open = { name, worker, outstanding: 0, retired: false };
    }
    open.outstanding++;
    this.workers.delete(name);
    this.workers.set(name, open);
    this.evictIdleWorkers();
    return open;
  }

  private release(open: OpenWorker): void {
    open.outstanding--;
    if (open.retired && open.outstanding === 0 && this.retired.delete(open)) open.worker.close(true).catch(() => {});
    this.evictIdleWorkers();
  }

  /**
   * A BullMQ queue whose first call failed on the connection keeps its failed start-up and refuses
   * every later call at once, even with Redis back: the next call opens a fresh one.
   */
  private retireQueueOnFailure(queue: Queue, error: unknown): void {
    if (!RedisUnavailableError.isInstance(error) || this.queues.get(queue.name) !== queue) return;
    this.queues.delete(queue.name);
    queue.close().catch(() => {});
  }

  /**
   * A BullMQ worker whose call failed on the connection (a timeout, a server killed mid-call) can
   * stay wedged on that call even once Redis is back: the agent's next take opens a fresh worker,
   * and this one is closed when its last fetch or delivery settles.
   */
  private retireOnFailure(open: OpenWorker, error: unknown): void {
    if (!RedisUnavailableError.isInstance(error) || open.retired) return;
    open.retired = true;
    if (this.workers.get(open.name) === open) this.workers.delete(open.name);
    this.retired.add(open);
  }

  /** Closes least recently used workers with nothing outstanding until at most `maxOpenAgents` stay open. */
  private evictIdleWorkers(): void {
    let excess = this.workers.size - this.maxOpenAgents;
    for (const open of this.workers.values()) {
      if (excess <= 0) break;
      if (open.outstanding > 0) continue;
      this.workers.delete(open.name);
      excess--;
      open.worker.close(true).catch(() => {});
    }
  }

  /**
   * Every BullMQ call gets the store's command timeout: the consumer connection has none (it blocks
   * by design), and on either side BullMQ first waits, unbounded, for its connection to be ready
   * while Redis is down or restarting.
   */
  private limitedCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return guard(operation, () => withCommandTimeout(operation, this.commandTimeoutMs, call));
  }

  /**
   * Puts a task fetched for a caller who already gave up back in the queue, unless its lock is gone
   * already. Bounded by the lock: past it, the stalled check brings the task back anyway.
   */
  private async handBack(job: Job<HandoffTask>, token: string): Promise<void> {
    await withCommandTimeout('RedisHandoffQueue.take', this.lockDurationMs, () => job.moveToWait(token), { background: true });
  }

  /** Best effort: a failure leaves the keys' lifetimes as they were, which the next call corrects. */
  private async refreshExpiry(queue: Queue): Promise<void> {
    try {
      await refreshIdleExpiry(this.producer, queue.keys, this.idleAgentTtlMs);
    } catch {
      // The task itself was handled; only the idle bookkeeping lags.
    }
  }
}

/** An agent's consumer side and how many fetches or deliveries still need it. */
interface OpenWorker {
  readonly name: string;
  readonly worker: Worker;
  outstanding: number;
  /** Replaced after a failed call (see `retireOnFailure`): closed once nothing needs it. */
  retired: boolean;
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
