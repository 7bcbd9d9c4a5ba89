import {
  InvalidInputError,
  InvalidOptionsError,
  LambdaPrimitive,
  WorkflowContext,
  WorkflowPrimitive,
  type Event,
  type PrimitiveOptions,
} from '@tta/primitives';
import { EventEmitter, assertSpecificationVersion, describeValue, emitPrimitiveEvent } from '@tta/primitives/instrumentation';
import type { Logger } from '@tta/primitives/logging';
import { requireInteger, requireOneOf, requireOptionsObject } from '@tta/primitives/instrumentation';
import { AgentContext } from '../context/agent-context.js';
import type { AgentIdentity, HandoffRecord } from '../context/agent-identity.js';
import type { AgentDefinition } from '../context/define-agent.js';
import { normaliseAgent } from '../context/normalise-agent.js';
import { generateId } from '../internal/generate-id.js';
import type { HandoffQueue, HandoffTask } from './handoff-queue.js';
import { InMemoryHandoffQueue } from './in-memory-handoff-queue.js';
import { namedAfterTarget } from './handoff-name.js';
import type { PrimitiveChild } from '@tta/primitives/instrumentation';

/**
 * How control passes: `immediate` runs the target now and returns its output; `queued` puts the
 * task on a queue that the target drains later (possibly in another process); `conditional` runs
 * the target now only when `condition` holds, and skips it otherwise.
 */
export type HandoffStrategy = 'immediate' | 'queued' | 'conditional';

/** Which context data the target sees: all (`true`), none (`false`), or only the listed keys. */
export type PreserveContext = boolean | readonly string[];

/** Decides a conditional handoff; input first, then the handing-over agent's context. */
export type HandoffCondition<TInput> = (input: TInput, context: AgentContext) => boolean | PromiseLike<boolean>;

/** Options of {@link AgentHandoffPrimitive}. */
export interface AgentHandoffOptions<TInput, TOutput> extends PrimitiveOptions {
  /** The agent that takes over. */
  readonly to: AgentDefinition<TInput, TOutput>;
  /** @default 'immediate' */
  readonly strategy?: HandoffStrategy;
  /** Required with `strategy: 'conditional'` (and refused with the others). */
  readonly condition?: HandoffCondition<TInput>;
  /** Where queued handoffs wait. Only with `strategy: 'queued'`. @default a new InMemoryHandoffQueue */
  readonly queue?: HandoffQueue;
  /** Context data passed to the target. @default true */
  readonly preserveContext?: PreserveContext;
  /** Recorded in the history. */
  readonly reason?: string;
  /** The handing-over agent when `execute` gets a plain WorkflowContext. @default { id: 'workflow', role: 'workflow' } */
  readonly from?: AgentIdentity;
}

/** What a handoff did. */
export type HandoffResult<TOutput> =
  | { readonly status: 'completed'; readonly agentId: string; readonly output: TOutput }
  | { readonly status: 'queued'; readonly agentId: string; readonly taskId: string }
  | { readonly status: 'skipped'; readonly agentId: string };

/** Emitted after each handoff decision. */
export interface HandoffEvent {
  readonly from: string;
  readonly to: string;
  readonly strategy: HandoffStrategy;
  readonly status: 'completed' | 'queued' | 'skipped' | 'failed';
  readonly correlationId: string;
}

/** Options of {@link AgentHandoffPrimitive.drain}. */
export interface DrainOptions {
  /** Most tasks run by this call. @default Infinity (until the queue is empty) */
  readonly limit?: number;
  /** Log sink of the task runs; their records carry the task's correlation id. @default silentLogger */
  readonly logger?: Logger;
}

/** What {@link AgentHandoffPrimitive.drain} did. */
export interface DrainReport<TOutput> {
  readonly completed: ReadonlyArray<{ readonly task: HandoffTask; readonly output: TOutput }>;
  readonly failed: ReadonlyArray<DrainFailure>;
}

/** A drained task that did not end as completed. */
export interface DrainFailure {
  readonly task: HandoffTask;
  /**
   * Why: the target's own error, or, when the target succeeded but the queue refused `complete()`,
   * that refusal (the task may then be offered again: make its side effects idempotent).
   */
  readonly error: unknown;
  /** Present when the queue also refused `fail()`: the task may be offered again. */
  readonly acknowledgeError?: unknown;
}

/** What one {@link AgentHandoffPrimitive.drain} call asks for. */
interface DrainRequest {
  readonly queue: HandoffQueue;
  readonly limit: number;
  readonly logger: Logger | undefined;
}

const defaultFrom: AgentIdentity = Object.freeze({ id: 'workflow', role: 'workflow' });

/**
 * Passes a task from the current agent to another, keeping the run's correlation id and history.
 *
 * @example
 * <!-- snippet-prelude: declare const plannerContext: AgentContext; declare const plan: string; -->
 * ```ts
 * const queue = new InMemoryHandoffQueue();
 * const toCoder = new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue, preserveContext: ['repository'] });
 * await toCoder.execute(plannerContext, plan);          // { status: 'queued', agentId: 'coder', taskId }
 * await toCoder.drain(WorkflowContext.create());        // the coder runs every waiting task
 * ```
 */
export class AgentHandoffPrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, HandoffResult<TOutput>> {
  readonly strategy: HandoffStrategy;
  readonly target: AgentDefinition<TInput, TOutput>;
  readonly queue: HandoffQueue | undefined;
  readonly preserveContext: PreserveContext;
  private readonly condition: HandoffCondition<TInput> | undefined;
  private readonly reason: string | undefined;
  private readonly from: AgentIdentity;
  private readonly handoffs = new EventEmitter<HandoffEvent>();
  private drainer: LambdaPrimitive<DrainRequest, DrainReport<TOutput>> | undefined;

  /** Fires after every handoff, with its outcome. */
  readonly onHandoff: Event<HandoffEvent> = this.handoffs.event;

  constructor(options: AgentHandoffOptions<TInput, TOutput>) {
    super('agent-handoff', namedAfterTarget(options));
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'options', `must be an object with "to" (got ${describeValue(options)})`);
    }
    const to = options.to;
    if (typeof to !== 'object' || to === null || !(to.primitive instanceof WorkflowPrimitive)) {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'to', `must be an agent definition { agent: { id, role }, primitive } (see defineAgent) (got ${describeValue(to)})`);
    }
    normaliseAgent(to.agent, 'AgentHandoffPrimitive', 'to.agent');
    const strategy = options.strategy ?? 'immediate';
    requireOneOf('AgentHandoffPrimitive', 'strategy', strategy, ['immediate', 'queued', 'conditional']);
    if (strategy === 'conditional' && typeof options.condition !== 'function') {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'condition', "is required (a function) with strategy 'conditional'");
    }
    if (strategy !== 'conditional' && options.condition !== undefined) {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'condition', `only applies to strategy 'conditional' (strategy is '${strategy}')`);
    }
    if (strategy !== 'queued' && options.queue !== undefined) {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'queue', `only applies to strategy 'queued' (strategy is '${strategy}')`);
    }
    const queue = options.queue as unknown;
    if (queue !== undefined && !isHandoffQueue(queue)) {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'queue', `must be a HandoffQueue with enqueue(), take() and size() (got ${describeValue(queue)})`);
    }
    if (queue !== undefined) assertSpecificationVersion('AgentHandoffPrimitive', 'queue', queue);
    if (options.reason !== undefined && typeof options.reason !== 'string') {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'reason', `must be a string (got ${describeValue(options.reason)})`);
    }
    const preserve = options.preserveContext ?? true;
    if (typeof preserve !== 'boolean' && !(Array.isArray(preserve) && preserve.every((key) => typeof key === 'string'))) {
      throw new InvalidOptionsError('AgentHandoffPrimitive', 'preserveContext', `must be true, false or an array of data keys (got ${describeValue(preserve)})`);
    }
    this.strategy = strategy;
    this.target = to;
    this.condition = options.condition;
    this.queue = strategy === 'queued' ? (options.queue ?? new InMemoryHandoffQueue()) : undefined;
    this.preserveContext = Array.isArray(preserve) ? Object.freeze([...preserve]) : preserve;
    this.reason = options.reason;
    this.from = options.from === undefined ? defaultFrom : normaliseAgent(options.from, 'AgentHandoffPrimitive', 'from');
  }

  override _children(): readonly PrimitiveChild[] {
    return [{ label: this.target.agent.id, primitive: this.target.primitive }];
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<HandoffResult<TOutput>> {
    const source = AgentContext.of(context) ?? AgentContext.create({ workflow: context, agent: this.from });
    const to = this.target.agent.id;
    if (this.strategy === 'conditional' && !(await this.condition!(input, source))) {
      this.report(source, 'skipped', context);
      return { status: 'skipped', agentId: to };
    }
    context.throwIfAborted();
    const data = this.filterData(source.data);
    if (this.strategy === 'queued') {
      const record: HandoffRecord = { from: source.agent.id, to, at: Math.floor(source.clock.now()), kind: 'queued-handoff', ...(this.reason === undefined ? {} : { reason: this.reason }) };
      const task: HandoffTask<TInput> = {
        id: generateId(),
        from: source.agent.id,
        to,
        input,
        correlationId: source.correlationId,
        ...(source.sessionId === undefined ? {} : { sessionId: source.sessionId }),
        data,
        history: [...source.history, record],
        enqueuedAt: record.at,
        ...(this.reason === undefined ? {} : { reason: this.reason }),
      };
      await this.queue!.enqueue(task);
      this.report(source, 'queued', context);
      return { status: 'queued', agentId: to, taskId: task.id };
    }
    const next = source.forAgent(this.target.agent, { kind: 'handoff', data, ...(this.reason === undefined ? {} : { reason: this.reason }) });
    try {
      const output = await this.target.primitive.execute(next, input);
      this.report(source, 'completed', context);
      return { status: 'completed', agentId: to, output };
    } catch (error) {
      this.report(source, 'failed', context);
      throw error;
    }
  }

  /**
   * Runs the target agent on the tasks waiting for it in the queue, oldest first, until the queue is
   * empty (or `limit` tasks ran). Each task continues its run: same correlation id, session, data
   * and history. A failing task is reported to the queue and in the result; the others still run.
   * A task whose `complete()` the queue refuses is reported as failed with that error (and not
   * failed again); a refused `fail()` is kept as `acknowledgeError` beside the task's own error.
   * When `context` aborts (or its deadline passes), the current task fails with the abort reason and
   * draining stops with it. Bad arguments give an `InvalidOptionsError` / `InvalidInputError`.
   * When `context` is an AgentContext, its stores are used; otherwise in-memory ones.
   */
  async drain(context: WorkflowContext, options: DrainOptions = {}): Promise<DrainReport<TOutput>> {
    const queue = this.queue;
    if (queue === undefined) throw new InvalidOptionsError('AgentHandoffPrimitive', 'strategy', `must be 'queued' for drain() (strategy of ${describeValue(this.name)} is '${this.strategy}')`);
    if (!(context instanceof WorkflowContext)) throw new InvalidInputError('AgentHandoffPrimitive.drain', `context must be a WorkflowContext (got ${describeValue(context)})`);
    requireOptionsObject('AgentHandoffPrimitive.drain', options, { optional: true });
    const limit = options.limit ?? Infinity;
    requireInteger('AgentHandoffPrimitive.drain', 'limit', limit, { infinity: true });
    // Run as an execution on `context`, so that its deadline is armed for the drain and its link to
    // the caller's signal (made when the task runs read it) is let go when the drain ends.
    this.drainer ??= new LambdaPrimitive((request: DrainRequest, drainContext: WorkflowContext) => this.drainTasks(drainContext, request), {
      name: `${this.name}.drain`,
      instrument: false,
    });
    return this.drainer.execute(context, { queue, limit, logger: options.logger });
  }

  private async drainTasks(context: WorkflowContext, { queue, limit, logger }: DrainRequest): Promise<DrainReport<TOutput>> {
    const owner = AgentContext.of(context);
    const completed: Array<{ task: HandoffTask; output: TOutput }> = [];
    const failed: DrainFailure[] = [];
    while (completed.length + failed.length < limit) {
      context.throwIfAborted();
      const delivery = await queue.take(this.target.agent.id);
      if (delivery === undefined) break;
      const task = delivery.task;
      const run = WorkflowContext.create({
        correlationId: task.correlationId,
        data: task.data,
        clock: context.clock,
        signal: context.signal,
        ...(logger === undefined ? {} : { logger }),
        ...(context.deadline === undefined ? {} : { deadline: context.deadline }),
        ...(context.parentSpanContext === undefined ? {} : { parentSpanContext: context.parentSpanContext }),
      });
      const agentContext = AgentContext.create({
        workflow: run,
        agent: this.target.agent,
        history: task.history,
        ...(task.sessionId === undefined ? {} : { sessionId: task.sessionId }),
        ...(owner === undefined ? {} : owner.stores),
      });
      let output: TOutput;
      try {
        output = await this.target.primitive.execute(agentContext, task.input as TInput);
      } catch (error) {
        // A queue that cannot record the failure must not end the drain nor replace the task's own error.
        const acknowledgeError = await delivery.fail(error).then(
          () => undefined,
          (refusal: unknown) => ({ refusal }),
        );
        failed.push({ task, error, ...(acknowledgeError === undefined ? {} : { acknowledgeError: acknowledgeError.refusal }) });
        this.report(agentContext, 'failed', agentContext, task.from);
        if (context.aborted) throw context.abortReason;
        continue;
      }
      try {
        await delivery.complete();
      } catch (error) {
        // The work is done but unacknowledged: the delivery is settled, so fail() would only throw and
        // hide this error; the queue offers the task again by its own policy.
        failed.push({ task, error });
        this.report(agentContext, 'failed', agentContext, task.from);
        continue;
      }
      completed.push({ task, output });
      this.report(agentContext, 'completed', agentContext, task.from);
    }
    return { completed, failed };
  }

  private filterData(data: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
    const preserve = this.preserveContext;
    if (preserve === true) return data;
    if (preserve === false) return {};
    const kept: Record<string, unknown> = {};
    for (const key of preserve) if (Object.hasOwn(data, key)) kept[key] = data[key];
    return kept;
  }

  private report(source: AgentContext, status: HandoffEvent['status'], context: WorkflowContext, from?: string): void {
    const event: HandoffEvent = {
      from: from ?? source.agent.id,
      to: this.target.agent.id,
      strategy: this.strategy,
      status,
      correlationId: source.correlationId,
    };
    if (this.handoffs.hasListeners) this.handoffs.emit(event);
    emitPrimitiveEvent({ type: 'handoff', ...event }, this, context);
  }
}

function isHandoffQueue(value: unknown): value is HandoffQueue {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof HandoffQueue, unknown>>;
  return typeof candidate.enqueue === 'function' && typeof candidate.take === 'function' && typeof candidate.size === 'function';
}
