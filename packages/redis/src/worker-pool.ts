import { DelayedError, UnrecoverableError, Worker, type Job, type KeepJobs, type Queue, type WorkerOptions } from 'bullmq';
import {
  InvalidInputError,
  InvalidOptionsError,
  WorkflowContext,
  WorkflowPrimitive,
  type AnyPrimitive,
  type Event,
  type WorkflowContextOptions,
} from '@tta/primitives';
import {
  EventEmitter,
  assertDuration,
  describeValue,
  maxTimerDelayMs,
  type Clock,
} from '@tta/primitives/instrumentation';
import type { Logger } from '@tta/primitives/logging';
import type { DurableWorkflow } from '@tta/durable';
import type { RedisConnection } from './connection.js';
import { blockingConnection } from './bullmq-connection.js';
import { createWorkflowQueue, enqueueWorkflow, queueIdentity, type EnqueueWorkflowOptions, type WorkflowJobData } from './enqueue-workflow.js';
import { parseTraceparent } from './trace-context.js';
import { assertOptionsObject } from './validate-options.js';

/** Options of {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /**
   * The workflows this process can run, by the name jobs are enqueued with: primitives, or durable
   * workflows (`durable(...)` of `@tta/durable`), which run with the job id as their run id.
   */
  readonly workflows: Readonly<Record<string, AnyPrimitive | DurableWorkflow<any, any>>>;
  /** An ioredis client (its options are copied: workers need connections of their own) or connection options. @default {} (127.0.0.1:6379) */
  readonly connection?: RedisConnection;
  /** Key prefix, the same as the producers'. @default 'tta:' */
  readonly prefix?: string;
  /**
   * The BullMQ queue this pool takes jobs from. By default it is derived from the sorted names of
   * `workflows` (`workflows-<names>`, see `workflowQueueName`), so pools with different workflow sets
   * never share a queue by accident; producers find it with `pool.enqueue(...)` or
   * `createWorkflowQueue({ workflows })`. Give one explicitly to share a queue on purpose.
   * @default workflowQueueName(workflows)
   */
  readonly queueName?: string;
  /** Jobs this process runs at once. @default 1 */
  readonly concurrency?: number;
  /**
   * How long a job stays locked to this worker without a renewal (renewed every half of it while
   * the job runs). A worker that dies holds its jobs at most this long.
   * @default 30_000
   */
  readonly lockDurationMs?: number;
  /**
   * How often workers look for jobs whose lock expired and put them back in the queue; at most
   * 2^31 − 1 ms (BullMQ waits it with one host timer), larger values are refused with `InvalidOptionsError`.
   * @default 30_000
   */
  readonly stalledIntervalMs?: number;
  /** Times a job may be recovered from a dead worker before it is failed. @default 1 */
  readonly maxStalledCount?: number;
  /** Start taking jobs at construction; otherwise call `run()`. @default true */
  readonly autorun?: boolean;
  /** Worker name, recorded on the jobs it runs (`job.processedBy`). */
  readonly workerName?: string;
  /** Logger of the runs' contexts (lines carry each job's correlation id). @default silentLogger */
  readonly logger?: Logger;
  /** Clock of the runs' contexts. @default systemClock */
  readonly clock?: Clock;
  /**
   * How many completed jobs (and their results) Redis keeps, for how long: a count, `{ count?, ageMs? }`
   * (both: a job goes once it breaks either), or `false` to keep them all forever. Jobs go when a later
   * job completes (BullMQ evicts on completion, not on a timer). A job's own `removeOnComplete` wins.
   * @default { count: 1_000, ageMs: 86_400_000 } (a day)
   */
  readonly removeOnComplete?: JobRetention;
  /**
   * The same for failed jobs, kept longer to be inspected.
   * @default { count: 10_000, ageMs: 604_800_000 } (a week)
   */
  readonly removeOnFail?: JobRetention;
  /**
   * A job for a workflow this pool lacks goes back to the queue for this long (its attempts untouched),
   * so that a pool that has the workflow runs it; it is never failed for it.
   * @default 1_000
   */
  readonly foreignJobDelayMs?: number;
  /** Raw BullMQ worker options, applied last. */
  readonly workerOptions?: Readonly<Omit<WorkerOptions, 'connection' | 'prefix'>>;
}

/** How many finished jobs to keep: a count, a count and/or an age in ms, or `false` for all of them. */
export type JobRetention = number | false | { readonly count?: number; readonly ageMs?: number };

/** A job that ended, as reported by {@link WorkerPool.onCompleted} and {@link WorkerPool.onFailed}. */
export interface WorkflowJobEvent {
  readonly jobId: string;
  readonly workflow: string;
  readonly correlationId: string;
  /** Attempts made so far, this one included. */
  readonly attemptsMade: number;
  /** The output (completed jobs). */
  readonly output?: unknown;
  /** Why it failed (failed jobs). */
  readonly error?: unknown;
}

/**
 * Runs workflow jobs from a BullMQ queue in this process: start one in each process (or
 * container) that should do work, and they share the queue. A job names a registered workflow;
 * the pool runs that primitive with the job's input in a `WorkflowContext` that keeps the
 * enqueuing run's correlation id, trace parent (`traceparent`), baggage, data and deadline, and
 * whose signal aborts when BullMQ cancels the job or the pool closes by force. The primitive's
 * output is the job's return value.
 *
 * Retries (`attempts` / `backoff` on enqueue), delays, concurrency and the recovery of jobs of a
 * worker that died (stalled jobs, after `lockDurationMs`) are BullMQ's. Delivery is at least once:
 * a job whose worker died mid-run runs again elsewhere, so make side effects idempotent (the job
 * id, `context.runId` in the workflow, is the idempotency key to use).
 *
 * A durable workflow (`durable(...)` of `@tta/durable`) runs with the job id as its run id, and its job
 * resolves to the run's `RunOutcome`: a job BullMQ delivers again (a retry, or the recovery of a job
 * whose worker died) continues the run from its journal, without calling a completed step again; a
 * run that suspends at a `waitFor` ends its job (`{ status: 'suspended', ... }`), and
 * {@link WorkerPool.resume} enqueues the continuation with the value for the wait.
 *
 * Without a `queueName` the pool's queue is named after its sorted workflow names, so two pools
 * with different workflows never take each other's jobs; `pool.enqueue(...)`, or
 * `createWorkflowQueue({ workflows })` in another process, finds the same queue.
 *
 * @example
 * ```ts
 * const pool = new WorkerPool({ connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, workflows: { summarise }, concurrency: 4 });
 * const job = await pool.enqueue('summarise', { url: 'https://example.com' });
 * process.on('SIGTERM', () => void pool.close());
 * ```
 */
export class WorkerPool {
  /** The underlying BullMQ worker (for its events and advanced controls). */
  readonly worker: Worker<WorkflowJobData, unknown>;
  /** Name of the queue. */
  readonly queueName: string;
  /** Names of the registered workflows. */
  readonly workflowNames: readonly string[];
  /** A job finished successfully in this process. */
  readonly onCompleted: Event<WorkflowJobEvent>;
  /** A job failed in this process (it may be retried, by its `attempts`). */
  readonly onFailed: Event<WorkflowJobEvent>;
  /** The worker hit a connection or internal error (it keeps trying). */
  readonly onError: Event<unknown>;
  private readonly workflows: ReadonlyMap<string, AnyPrimitive | DurableWorkflow<unknown, unknown>>;
  private readonly completed = new EventEmitter<WorkflowJobEvent>();
  private readonly failed = new EventEmitter<WorkflowJobEvent>();
  private readonly errors = new EventEmitter<unknown>();
  private readonly logger: Logger | undefined;
  private readonly clock: Clock | undefined;
  private readonly foreignJobDelayMs: number;
  private readonly connection: RedisConnection | undefined;
  private readonly prefix: string | undefined;
  private producer: Queue<WorkflowJobData, unknown> | undefined;

  constructor(options: WorkerPoolOptions) {
    const kind = 'WorkerPool';
    assertOptionsObject(kind, options, [
      ...['workflows', 'connection', 'prefix', 'queueName', 'concurrency', 'lockDurationMs', 'stalledIntervalMs', 'maxStalledCount', 'autorun'] as const,
      ...['workerName', 'logger', 'clock', 'removeOnComplete', 'removeOnFail', 'foreignJobDelayMs', 'workerOptions'] as const,
    ] satisfies (keyof WorkerPoolOptions)[]);
    if (typeof options.workflows !== 'object' || options.workflows === null) throw new InvalidOptionsError(kind, 'workflows', 'must be an object of primitives');
    const workflows = new Map<string, AnyPrimitive | DurableWorkflow<unknown, unknown>>();
    for (const [name, primitive] of Object.entries(options.workflows)) {
      if (name.length === 0) throw new InvalidOptionsError(kind, 'workflows', 'must not register a workflow under the empty name');
      if (!(primitive instanceof WorkflowPrimitive) && !isDurableWorkflow(primitive)) throw new InvalidOptionsError(kind, `workflows.${name}`, 'must be a WorkflowPrimitive or a durable workflow');
      workflows.set(name, primitive);
    }
    if (workflows.size === 0) throw new InvalidOptionsError(kind, 'workflows', 'must register at least one workflow');
    const positive = (name: string, value: number | undefined, fallback: number): number => {
      const resolved = value ?? fallback;
      if (!Number.isInteger(resolved) || resolved < 1) throw new InvalidOptionsError(kind, name, 'must be an integer >= 1');
      return resolved;
    };
    const concurrency = positive('concurrency', options.concurrency, 1);
    const lockDuration = positive('lockDurationMs', options.lockDurationMs, 30_000);
    const stalledInterval = positive('stalledIntervalMs', options.stalledIntervalMs, 30_000);
    // BullMQ waits this interval with one host timer, which fires a longer delay after 1 ms: the stalled
    // check would then run against Redis about a thousand times a second.
    if (stalledInterval > maxTimerDelayMs) {
      throw new InvalidOptionsError(kind, 'stalledIntervalMs', `must be at most ${maxTimerDelayMs} (about 24.8 days; got ${stalledInterval})`);
    }
    const maxStalledCount = options.maxStalledCount ?? 1;
    if (!Number.isInteger(maxStalledCount) || maxStalledCount < 0) throw new InvalidOptionsError(kind, 'maxStalledCount', 'must be an integer >= 0');
    const foreignJobDelayMs = options.foreignJobDelayMs ?? 1_000;
    assertDuration(kind, 'foreignJobDelayMs', foreignJobDelayMs, { integer: true });
    const removeOnComplete = toKeepJobs(kind, 'removeOnComplete', options.removeOnComplete, { count: 1_000, ageMs: 86_400_000 });
    const removeOnFail = toKeepJobs(kind, 'removeOnFail', options.removeOnFail, { count: 10_000, ageMs: 604_800_000 });
    const { prefix, queueName } = queueIdentity(kind, options);
    this.foreignJobDelayMs = foreignJobDelayMs;
    this.workflows = workflows;
    this.workflowNames = [...workflows.keys()];
    this.queueName = queueName;
    this.connection = options.connection;
    this.prefix = options.prefix;
    this.logger = options.logger;
    this.clock = options.clock;
    this.onCompleted = this.completed.event;
    this.onFailed = this.failed.event;
    this.onError = this.errors.event;
    const workerOptions: WorkerOptions = {
      connection: blockingConnection(options.connection),
      prefix,
      concurrency,
      lockDuration,
      // BullMQ renews locks on a host timer of lockRenewTime / 2 (by default lockDuration / 4): kept within
      // the host timer range, a lock of any length is renewed on time instead of every millisecond.
      lockRenewTime: Math.min(lockDuration / 2, 2 * maxTimerDelayMs),
      stalledInterval,
      maxStalledCount,
      autorun: options.autorun ?? true,
      ...(removeOnComplete === undefined ? {} : { removeOnComplete }),
      ...(removeOnFail === undefined ? {} : { removeOnFail }),
      ...options.workerOptions,
    };
    if (options.workerName !== undefined) workerOptions.name = options.workerName;
    this.worker = new Worker<WorkflowJobData, unknown>(queueName, (job, token, signal) => this.process(job, token, signal), workerOptions);
    this.worker.on('error', (error) => this.errors.emit(error));
    this.worker.on('completed', (job, output) => this.completed.emit(describeJob(job, { output })));
    this.worker.on('failed', (job, error) => {
      if (job !== undefined) this.failed.emit(describeJob(job, { error }));
    });
  }

  /** Starts taking jobs (only needed with `autorun: false`). Resolves when the worker stops. */
  run(): Promise<void> {
    return this.worker.run();
  }

  /** Resolves once the worker's connections are ready. */
  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /**
   * Adds a job for one of this pool's workflows to this pool's queue (derived or explicit), with
   * the options of `enqueueWorkflow`, so producers in this process need not repeat the queue name.
   * The producer connection is opened on first use and closed by {@link close}.
   *
   * @throws InvalidInputError (from the returned promise) when `workflow` is not registered here.
   * @example
   * ```ts
   * const job = await pool.enqueue('summarise', { url: 'https://example.com' }, { jobId: 'summary-1' });
   * ```
   */
  async enqueue<TInput>(workflow: string, input: TInput, options?: EnqueueWorkflowOptions): Promise<Job<WorkflowJobData<TInput>, unknown>> {
    if (typeof workflow !== 'string' || !this.workflows.has(workflow)) {
      throw new InvalidInputError('WorkerPool.enqueue', `workflow must be one of this pool's workflows (${this.workflowNames.join(', ')}; got ${describeValue(workflow)})`);
    }
    this.producer ??= createWorkflowQueue({
      ...(this.connection === undefined ? {} : { connection: this.connection }),
      ...(this.prefix === undefined ? {} : { prefix: this.prefix }),
      queueName: this.queueName,
    });
    return enqueueWorkflow(this.producer as Queue<WorkflowJobData<TInput>, unknown>, workflow, input, options);
  }

  /**
   * Enqueues the continuation of a durable run that a job of this pool suspended: a job for
   * `workflow` that resumes `runId` with `options.value` for its wait (checked by the wait's schema
   * when it runs). The job resolves to the run's next `RunOutcome`; a value the run no longer waits
   * for fails it with `RunNotSuspendedError`.
   *
   * @throws InvalidInputError (from the returned promise) when `workflow` is not a durable workflow of this pool, or `runId` is not a non-empty string.
   * @example
   * ```ts
   * await pool.resume('review', 'review-42', { value: { approved: true } });
   * ```
   */
  async resume(workflow: string, runId: string, options: WorkerPoolResumeOptions = {}): Promise<Job<WorkflowJobData, unknown>> {
    const operation = 'WorkerPool.resume';
    if (typeof workflow !== 'string' || !isDurableWorkflow(this.workflows.get(workflow))) {
      const durableNames = this.workflowNames.filter((name) => isDurableWorkflow(this.workflows.get(name)));
      throw new InvalidInputError(operation, `workflow must be one of this pool's durable workflows (${durableNames.join(', ') || 'none'}; got ${describeValue(workflow)})`);
    }
    if (typeof runId !== 'string' || runId.length === 0) throw new InvalidInputError(operation, `runId must be a non-empty string (got ${describeValue(runId)})`);
    if (typeof options !== 'object' || options === null) throw new InvalidInputError(operation, `options must be an object (got ${describeValue(options)})`);
    this.producer ??= createWorkflowQueue({
      ...(this.connection === undefined ? {} : { connection: this.connection }),
      ...(this.prefix === undefined ? {} : { prefix: this.prefix }),
      queueName: this.queueName,
    });
    const data: WorkflowJobData = {
      input: null,
      correlationId: runId,
      enqueuedAt: Date.now(),
      resume: { runId, ...('value' in options ? { value: options.value } : {}) },
    };
    // A job id of its own: the run's first job keeps the run id, and BullMQ ignores an add whose id exists.
    const jobId = options.jobId ?? `${runId}-resume-${globalThis.crypto.randomUUID()}`;
    const add = this.producer.add.bind(this.producer) as (name: string, data: WorkflowJobData, options: { jobId: string; attempts: number }) => Promise<Job<WorkflowJobData, unknown>>;
    return add(workflow, data, { jobId, attempts: options.attempts ?? 1 });
  }

  /**
   * Stops taking jobs and closes the connections. By default waits for the running jobs to finish;
   * with `force` it aborts their signals and returns at once (BullMQ will hand them to another
   * worker once their lock expires).
   */
  async close(force = false): Promise<void> {
    if (force) this.worker.cancelAllJobs('WorkerPool closed by force');
    const producer = this.producer;
    this.producer = undefined;
    await Promise.all([this.worker.close(force), producer?.close()]);
  }

  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async process(job: Job<WorkflowJobData, unknown>, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const primitive = this.workflows.get(job.name);
    if (primitive === undefined) {
      // Another pool on this queue may have it: failing it here would fail it for every pool. Hand it
      // back, delayed so that this pool does not spin on it, without spending one of its attempts.
      if (token === undefined) throw new UnrecoverableError(`No workflow "${job.name}" in this WorkerPool (registered: ${this.workflowNames.join(', ')})`);
      await job.moveToDelayed(Date.now() + this.foreignJobDelayMs, token);
      throw new DelayedError(`No workflow "${job.name}" in this WorkerPool (registered: ${this.workflowNames.join(', ')}): handed back to the queue`);
    }
    if (isDurableWorkflow(primitive)) return this.processDurable(primitive, job, signal);
    const data = job.data;
    const options: { -readonly [K in keyof WorkflowContextOptions]: WorkflowContextOptions[K] } = { correlationId: data.correlationId };
    const parent = parseTraceparent(data.traceparent, data.tracestate);
    if (parent !== undefined) options.parentSpanContext = parent;
    if (data.baggage !== undefined) options.baggage = data.baggage;
    if (data.data !== undefined) options.data = data.data;
    if (data.deadline !== undefined) options.deadline = data.deadline;
    // The job id is the same on every attempt and re-delivery: the run's idempotency key.
    if (job.id !== undefined) options.runId = job.id;
    if (signal !== undefined) options.signal = signal;
    if (this.logger !== undefined) options.logger = this.logger;
    if (this.clock !== undefined) options.clock = this.clock;
    const context = WorkflowContext.create(options);
    return primitive.execute(context, data.input);
  }

  // The job id is the run id, so a job delivered again continues its run instead of starting over.
  private async processDurable(flow: DurableWorkflow<unknown, unknown>, job: Job<WorkflowJobData, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    const data = job.data;
    const common = { ...(signal === undefined ? {} : { signal }), ...(data.data === undefined ? {} : { data: data.data }) };
    if (data.resume !== undefined) {
      return flow.resume(data.resume.runId, { ...common, ...('value' in data.resume ? { value: data.resume.value } : {}) });
    }
    return flow.start(data.input, { ...common, ...(job.id === undefined ? {} : { runId: job.id }) });
  }
}

/** Options of {@link WorkerPool.resume}. */
export interface WorkerPoolResumeOptions {
  /** The answer to the wait the run is suspended at. */
  readonly value?: unknown;
  /** The continuation job's id. @default `<runId>-resume-<random UUID>` */
  readonly jobId?: string;
  /** Attempts of the continuation job. @default 1 */
  readonly attempts?: number;
}

// A durable workflow of any copy of @tta/durable: what the pool calls on it, not its class.
function isDurableWorkflow(value: unknown): value is DurableWorkflow<unknown, unknown> {
  if (typeof value !== 'object' || value === null || value instanceof WorkflowPrimitive) return false;
  const candidate = value as Partial<Record<'start' | 'resume' | 'inspect' | 'name', unknown>>;
  return typeof candidate.start === 'function' && typeof candidate.resume === 'function' && typeof candidate.inspect === 'function' && typeof candidate.name === 'string';
}

function describeJob(job: Job<WorkflowJobData, unknown>, outcome: { readonly output?: unknown; readonly error?: unknown }): WorkflowJobEvent {
  return { jobId: job.id ?? '', workflow: job.name, correlationId: job.data?.correlationId ?? '', attemptsMade: job.attemptsMade, ...outcome };
}

/** BullMQ's `KeepJobs` for a {@link JobRetention} (`undefined`: keep every job, BullMQ's own default). */
function toKeepJobs(kind: string, name: string, value: JobRetention | undefined, fallback: JobRetention): KeepJobs | undefined {
  const retention = value ?? fallback;
  const refuse = (): never => {
    throw new InvalidOptionsError(kind, name, `must be false, a count >= 0 or { count?, ageMs? } with at least one of them (got ${describeValue(retention)})`);
  };
  if (retention === false) return undefined;
  const count = typeof retention === 'number' ? retention : typeof retention === 'object' && retention !== null ? retention.count : refuse();
  const ageMs = typeof retention === 'object' && retention !== null ? retention.ageMs : undefined;
  if (count === undefined && ageMs === undefined) refuse();
  if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0)) refuse();
  if (ageMs === undefined) return { count: count! };
  if (!(Number.isFinite(ageMs) && ageMs > 0)) refuse();
  // BullMQ counts ages in whole seconds; rounding up never removes a job before its age.
  const age = Math.ceil(ageMs / 1_000);
  return count === undefined ? { age } : { age, count };
}