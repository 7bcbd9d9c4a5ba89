import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job, type JobsOptions, type QueueEventsOptions } from 'bullmq';
import { InvalidInputError, InvalidOptionsError, type WorkflowContext } from '@tta/primitives';
import { describeValue, type SpanContextLike } from '@tta/primitives/instrumentation';
import { validatePrefix, type RedisClient, type RedisConnection } from './connection.js';
import { blockingConnection, producerConnection } from './bullmq-connection.js';
import { bullPrefix } from './key-layout.js';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { closeClient, guard } from './redis-call.js';
import { formatTraceparent } from './trace-context.js';
import { assertCallOptions, assertOptionsObject } from './validate-options.js';
import { workflowQueueName } from './workflow-queue-name.js';

/**
 * What a workflow job carries across the queue (the BullMQ job's `data`; the job's `name` is the
 * workflow name). Plain JSON.
 */
export interface WorkflowJobData<TInput = unknown> {
  /** The input of the workflow's primitive. */
  readonly input: TInput;
  /** Correlation id of the run that enqueued it; the worker's context keeps it. */
  readonly correlationId: string;
  /** W3C trace parent of the enqueuing run, so the worker's spans join the same trace. */
  readonly traceparent?: string;
  /** W3C trace state that goes with `traceparent`. */
  readonly tracestate?: string;
  /** W3C baggage entries of the enqueuing run. */
  readonly baggage?: Readonly<Record<string, string>>;
  /** Context data for the worker's run (`context.data`). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Absolute deadline (epoch ms) inherited from the enqueuing run. */
  readonly deadline?: number;
  /** Epoch ms when it was enqueued. */
  readonly enqueuedAt: number;
  /** A continuation of a suspended durable run (`WorkerPool.resume`): the run, and the value for its wait; `input` is unused. */
  readonly resume?: { readonly runId: string; readonly value?: unknown };
}

/** Options of {@link enqueueWorkflow}. */
export interface EnqueueWorkflowOptions {
  /**
   * The run that enqueues: its correlation id, span context, baggage, data and deadline travel
   * with the job (data must be JSON).
   */
  readonly context?: WorkflowContext;
  /** Correlation id of the job's run. @default context.correlationId, else a random UUID */
  readonly correlationId?: string;
  /** Trace parent for the worker's run. @default context.parentSpanContext */
  readonly parentSpanContext?: SpanContextLike;
  /** Context data for the worker's run. @default context.data, else {} */
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * Job id; adding a job whose id exists is a no-op (idempotent enqueue), so retrying a failed
   * enqueue with the same id cannot add the job twice. @default a random UUID (named by the
   * error's `retryKey` when the enqueue fails)
   */
  readonly jobId?: string;
  /** Run no earlier than this many ms from now. @default 0 */
  readonly delayMs?: number;
  /** Times BullMQ runs the job before it stays failed. @default 1 */
  readonly attempts?: number;
  /** Pause between attempts. @default { type: 'exponential', delayMs: 1_000 } */
  readonly backoff?: { readonly type: 'fixed' | 'exponential'; readonly delayMs: number };
  /** BullMQ priority: 1 is the highest; no priority runs before any prioritised job. */
  readonly priority?: number;
  /** Raw BullMQ job options, applied last. */
  readonly jobOptions?: Readonly<JobsOptions>;
}

/** Options of {@link createWorkflowQueue} and {@link createWorkflowQueueEvents}. */
export interface WorkflowQueueOptions {
  /** An ioredis client (shared) or connection options. @default {} (127.0.0.1:6379) */
  readonly connection?: RedisConnection;
  /** Key prefix; BullMQ's keys are `<prefix>bull:{<queueName>}:<queueName>:...` (one hash tag per queue). @default 'tta:' */
  readonly prefix?: string;
  /**
   * The workflows of the {@link WorkerPool} this queue feeds: its `workflows` record (only the keys
   * are read) or their names. The queue name is derived from them exactly as the pool derives its
   * own ({@link workflowQueueName}), and `enqueueWorkflow` refuses a workflow that is not among them.
   * One of `workflows` and `queueName` is required.
   * @example
   * ```ts
   * createWorkflowQueue({ connection, workflows: ['research', 'summarise'] });
   * ```
   */
  readonly workflows?: Readonly<Record<string, unknown>> | readonly string[];
  /** An explicit queue name, the same as the pool's `queueName`; wins over `workflows`. */
  readonly queueName?: string;
}

const queueOptionKeys = ['connection', 'prefix', 'workflows', 'queueName'] satisfies (keyof WorkflowQueueOptions)[];
const enqueueOptionKeys = [
  ...['context', 'correlationId', 'parentSpanContext', 'data', 'jobId'] as const,
  ...['delayMs', 'attempts', 'backoff', 'priority', 'jobOptions'] as const,
] satisfies (keyof EnqueueWorkflowOptions)[];

// The workflow names a queue was made for (createWorkflowQueue with `workflows`), to refuse others early.
const queueWorkflows = new WeakMap<object, ReadonlySet<string>>();

/**
 * A BullMQ `Queue` for workflow jobs, with the prefix, queue name and connection rules a
 * {@link WorkerPool} with the same options uses: give it the pool's `workflows` (the same record,
 * or their names) and it finds the pool's derived queue, or the pool's explicit `queueName`.
 * Close it with `await queue.close()`.
 *
 * @example
 * ```ts
 * const queue = createWorkflowQueue({ connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, workflows: ['summarise'] });
 * const job = await enqueueWorkflow(queue, 'summarise', { url }, { context });
 * ```
 */
export function createWorkflowQueue<TInput = unknown, TOutput = unknown>(options: WorkflowQueueOptions): Queue<WorkflowJobData<TInput>, TOutput> {
  assertOptionsObject('createWorkflowQueue', options, queueOptionKeys);
  const { prefix, queueName } = queueIdentity('createWorkflowQueue', options);
  // BullMQ's data generics are conditional types that do not resolve for a generic TInput.
  // skipVersionCheck: BullMQ's start-up INFO, timed out once (a paused server), would fail every later call of this queue.
  const producer = producerConnection(options.connection);
  const queue = new Queue(queueName, { connection: producer.connection, prefix, skipVersionCheck: true }) as unknown as Queue<WorkflowJobData<TInput>, TOutput>;
  const owned = producer.owned;
  if (owned !== undefined) {
    // BullMQ never closes a client it is given, and builds only single-server clients from options:
    // the cluster client made for `{ cluster }` options is closed with the queue.
    const closeQueue = queue.close.bind(queue);
    queue.close = async () => {
      try {
        await closeQueue();
      } finally {
        await closeClient(owned, true);
      }
    };
  }
  // Connection failures surface through the calls (as RedisUnavailableError); the event is noise.
  queue.on('error', () => {});
  if (options.queueName === undefined && options.workflows !== undefined) {
    queueWorkflows.set(queue, new Set(Array.isArray(options.workflows) ? options.workflows : Object.keys(options.workflows)));
  }
  return queue;
}

/**
 * BullMQ `QueueEvents` for the workflow queue: what `job.waitUntilFinished(events)` needs to
 * wait for a result from another process. It holds a blocking connection; close it when done.
 */
export function createWorkflowQueueEvents(options: WorkflowQueueOptions): QueueEvents {
  assertOptionsObject('createWorkflowQueueEvents', options, queueOptionKeys);
  const { prefix, queueName } = queueIdentity('createWorkflowQueueEvents', options);
  const events = new QueueEvents(queueName, { connection: blockingConnection(options.connection), prefix, autorun: false });
  events.on('error', () => {});
  // BullMQ's own start reads events from '$' (from now on) only once its first XREAD reaches the
  // server, which is after waitUntilReady has resolved: a job finishing in between was never reported
  // (often on a cluster, whose client takes longer). Started from the stream's last id, read before
  // ready, no event after ready is missed.
  const started = (async () => {
    try {
      const client = (await events.backend.client) as unknown as RedisClient;
      const [last] = await client.xrevrange(events.keys.events!, '+', '-', 'COUNT', 1);
      (events.opts as QueueEventsOptions).lastEventId = last?.[0] ?? '0-0';
    } catch {
      // Redis unreachable: BullMQ's own start ('$', retrying the connection) is the best left.
    }
    events.run().catch((error: unknown) => events.emit('error', error as Error));
  })();
  const waitUntilReady = events.waitUntilReady.bind(events);
  events.waitUntilReady = async () => {
    await waitUntilReady();
    await started;
  };
  return events;
}

/**
 * @internal The BullMQ prefix and queue name for options: the explicit `queueName`, else the name
 * derived from `workflows`; neither is refused, since a queue no pool listens on runs nothing.
 */
export function queueIdentity(
  kind: string,
  options: { readonly prefix?: string; readonly queueName?: string; readonly workflows?: Readonly<Record<string, unknown>> | readonly string[] },
): { prefix: string; queueName: string } {
  assertOptionsObject(kind, options);
  if (options.queueName === undefined && options.workflows === undefined) {
    throw new InvalidOptionsError(kind, 'workflows', "must be given (the pool's workflows or their names, from which the queue name is derived), or an explicit queueName");
  }
  const queueName = options.queueName ?? workflowQueueName(options.workflows!, kind);
  if (typeof queueName !== 'string' || queueName.length === 0 || queueName.includes(':')) {
    throw new InvalidOptionsError(kind, 'queueName', `must be a non-empty string without ":" (got ${describeValue(queueName)})`);
  }
  return { prefix: bullPrefix(validatePrefix(kind, options.prefix), queueName), queueName };
}

/**
 * Adds a job that runs the workflow registered as `workflow` in a {@link WorkerPool}, on whichever
 * worker process takes it first. The job carries the input, the correlation id and the trace
 * context; retries, delays and priorities are BullMQ's. Resolves with the BullMQ job: its `id`,
 * and `await job.waitUntilFinished(queueEvents)` for the workflow's output. Rejects with
 * `RedisUnavailableError` when Redis cannot be reached in time; when its `maybeApplied` is true
 * the job may have been added (a large input can outlast the command timeout and still land), so
 * retry with `{ jobId: error.retryKey }`: BullMQ ignores a second add of an existing id.
 *
 * @example
 * ```ts
 * const job = await enqueueWorkflow(queue, 'summarise', { url }, { context, attempts: 3 });
 * const summary = await job.waitUntilFinished(events, 60_000);
 * ```
 */
export async function enqueueWorkflow<TInput, TOutput = unknown>(
  queue: Queue<WorkflowJobData<TInput>, TOutput>,
  workflow: string,
  input: TInput,
  options: EnqueueWorkflowOptions = {},
): Promise<Job<WorkflowJobData<TInput>, TOutput>> {
  if (typeof workflow !== 'string' || workflow.length === 0) {
    throw new InvalidInputError('enqueueWorkflow', `workflow must be a non-empty name (got ${describeValue(workflow)})`);
  }
  assertCallOptions('enqueueWorkflow', 'options', options);
  assertOptionsObject('enqueueWorkflow', options, enqueueOptionKeys);
  const known = queueWorkflows.get(queue);
  if (known !== undefined && !known.has(workflow)) {
    // No pool that listens on this queue has it: the job would wait forever.
    throw new InvalidInputError('enqueueWorkflow', `workflow "${workflow}" is not one of this queue's workflows (${[...known].join(', ')})`);
  }
  const context = options.context;
  const span = options.parentSpanContext ?? context?.parentSpanContext;
  const data: { -readonly [K in keyof WorkflowJobData<TInput>]: WorkflowJobData<TInput>[K] } = {
    input,
    correlationId: options.correlationId ?? context?.correlationId ?? globalThis.crypto.randomUUID(),
    enqueuedAt: Date.now(),
  };
  if (span !== undefined) {
    data.traceparent = formatTraceparent(span);
    if (span.traceState !== undefined) data.tracestate = span.traceState;
  }
  const baggage = context?.baggage;
  if (baggage !== undefined && Object.keys(baggage).length > 0) data.baggage = baggage;
  const userData = options.data ?? context?.data;
  if (userData !== undefined && Object.keys(userData).length > 0) data.data = userData;
  if (context?.deadline !== undefined) data.deadline = context.deadline;
  const backoff = options.backoff ?? { type: 'exponential', delayMs: 1_000 };
  const jobOptions: JobsOptions = { attempts: options.attempts ?? 1, backoff: { type: backoff.type, delay: backoff.delayMs } };
  if (options.jobId !== undefined) jobOptions.jobId = options.jobId;
  if (options.delayMs !== undefined) jobOptions.delay = options.delayMs;
  if (options.priority !== undefined) jobOptions.priority = options.priority;
  // BullMQ's Queue types name and data through generics that do not narrow here; the shape is checked above.
  const add = queue.add.bind(queue) as (name: string, data: WorkflowJobData<TInput>, options: JobsOptions) => Promise<Job<WorkflowJobData<TInput>, TOutput>>;
  const finalOptions: JobsOptions = { ...jobOptions, ...options.jobOptions };
  // An id known before the call is what makes a retry after an unanswered add safe.
  const jobId = finalOptions.jobId ?? randomUUID();
  try {
    return await guard('enqueueWorkflow', () => add(workflow, data, { ...finalOptions, jobId }));
  } catch (error) {
    if (!RedisUnavailableError.isInstance(error)) throw error;
    throw new RedisUnavailableError('enqueueWorkflow', { cause: error.cause, maybeApplied: error.maybeApplied, retryKey: jobId });
  }
}
