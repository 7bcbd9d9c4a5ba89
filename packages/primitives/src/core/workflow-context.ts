import { LazyAbort, neverAbortedSignal, signalParent, type AbortParent } from './abort.js';
import { assertClock, systemClock, type Clock } from './clock.js';
import { requireMethods, requireNonEmptyString, requireOptionsObject } from './options.js';
import { DeadlineExceededError } from '../errors/deadline-exceeded-error.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { assertDeadline, assertDuration } from './duration.js';
import { bindLogger, silentLogger, type Logger } from '../logging/logger.js';
import type { StepFrame } from './step-frame.js';
import { idempotencyPath } from './idempotency-path.js';
import { assertUsageReport, emptyUsage, UsageLedger, type UsageReport, type UsageSnapshot } from '../usage/usage-ledger.js';
import type { BudgetScope } from '../usage/budget-scope.js';
import { declinedByAll, emitPrimitiveEvent } from '../observability/instrumentation.js';

/** An OpenTelemetry-compatible span context, without depending on OpenTelemetry. */
export interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly traceState?: string;
  readonly isRemote?: boolean;
}

/** A named point in a run, with the time since the run started. */
export interface Checkpoint {
  readonly name: string;
  readonly elapsedMs: number;
}

/** Options of {@link WorkflowContext.create}; every field is optional. */
export interface WorkflowContextOptions {
  /** Identifies the run in logs, spans and metrics exemplars. @default crypto.randomUUID() */
  readonly correlationId?: string;
  /** User data, read by every step. @default {} */
  readonly data?: Readonly<Record<string, unknown>>;
  /** Mutable state shared by the whole run. @default new Map() */
  readonly state?: Map<string, unknown>;
  /** Cancels the run when it aborts. */
  readonly signal?: AbortSignal;
  /**
   * Absolute deadline (epoch ms): the run is aborted with `DeadlineExceededError` when it passes.
   * `Infinity` means no deadline; a time a `Date` cannot hold (beyond ±8.64e15) is refused with
   * `InvalidInputError`, since deadlines often come from request headers.
   */
  readonly deadline?: number;
  /** Relative deadline; sets `deadline` to `clock.now() + timeoutMs`. Any size; `Infinity` means none. */
  readonly timeoutMs?: number;
  /** Span context of the caller (for example from a `traceparent` header). */
  readonly parentSpanContext?: SpanContextLike;
  /** W3C baggage entries propagated with the run. @default {} */
  readonly baggage?: Readonly<Record<string, string>>;
  /** Sink for structured logs; records get the correlation id and redaction. @default silentLogger */
  readonly logger?: Logger;
  /** Clock for deadlines, checkpoints and every timed primitive that has no clock of its own. @default systemClock */
  readonly clock?: Clock;
  /**
   * Identifies one durable unit of work across its re-deliveries (a queue's job id): the same on
   * every attempt, so a step can use it as the idempotency key of its side effects.
   * @default undefined
   * @example
   * <!-- snippet-prelude: declare const job: { readonly id: string }; -->
   * ```ts
   * WorkflowContext.create({ runId: job.id });
   * ```
   */
  readonly runId?: string;
}

/** What a branch may override in {@link WorkflowContext.child}. */
export interface ChildContextOverrides {
  readonly data?: Readonly<Record<string, unknown>>;
  /** Replaces the inherited signal. The child is still cancelled with its parent unless `detached`. */
  readonly signal?: AbortSignal;
  /** A tighter deadline for the branch (epoch ms); the same rules as {@link WorkflowContextOptions.deadline}. */
  readonly deadline?: number;
  readonly parentSpanContext?: SpanContextLike;
  readonly baggage?: Readonly<Record<string, string>>;
  /** Attempt number seen by a retried step. */
  readonly attempt?: number;
}

const generateId = (): string =>
  typeof globalThis.crypto?.randomUUID === 'function'
    ? globalThis.crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;

/**
 * Everything a run carries besides its input: identity, user data, shared state, cancellation,
 * deadline, trace parent, baggage and checkpoints. One instance per run; branches get a
 * {@link WorkflowContext.child} with the same correlation id and state.
 *
 * @example
 * ```ts
 * const context = WorkflowContext.create({ data: { userId: 'u1' }, timeoutMs: 30_000 });
 * await workflow.execute(context, input);
 * ```
 */
export class WorkflowContext implements AbortParent {
  readonly deadline: number | undefined;
  readonly parentSpanContext: SpanContextLike | undefined;
  readonly clock: Clock;
  /** Attempt number (from 1) when the step runs under a retry; otherwise undefined. */
  readonly attempt: number | undefined;
  /**
   * Epoch ms at which the run started, with the clock's sub-millisecond precision (unlike the whole
   * milliseconds the agent stores stamp): deadlines and `elapsedMs` are measured from it.
   */
  readonly startedAt: number;

  /** @internal */ readonly _abort: AbortParent | undefined;
  /** @internal */ _deadlineArmed: boolean;
  /**
   * @internal The execution of the primitive whose steps run on this context, while an
   * instrumentation is registered (undefined otherwise): where step paths are counted from.
   */
  _frame: StepFrame | undefined;
  /** @internal The innermost budget this context runs in (set by `BudgetPrimitive`); undefined outside any. */
  _budget: BudgetScope | undefined;
  private readonly sink: Logger;
  /**
   * What every context of the run shares (correlation id, state, checkpoints...): the run's scope,
   * or on a child made before the scope was needed, the run's first context, which makes it on
   * first use (most runs never need one, so a run without any allocates nothing for it).
   */
  private runRef: RunScope | WorkflowContext | undefined;
  // `data` and `baggage` default to an empty object made on first read: most runs never read them.
  private dataValue: Readonly<Record<string, unknown>> | undefined;
  private baggageValue: Readonly<Record<string, string>> | undefined;
  private boundLogger: Logger | undefined;
  /** See {@link WorkflowContext.firstAttempt}. */
  private firstAttemptView: WorkflowContext | undefined = undefined;

  constructor(options: WorkflowContextOptions = {}) {
    const parent = derivingParent;
    if (parent !== undefined) {
      // A child made by `derive`: built here rather than with Object.create so that every context
      // has the same shape (monomorphic property access) and no property store grows while filling.
      derivingParent = undefined;
      const overrides = derivingOverrides;
      this.clock = parent.clock;
      this.runRef = parent.runRef ?? parent;
      this.dataValue = overrides.data ?? parent.data;
      this.parentSpanContext = overrides.parentSpanContext ?? parent.parentSpanContext;
      this.baggageValue = overrides.baggage ?? parent.baggage;
      this.sink = parent.sink;
      this.boundLogger = parent.boundLogger;
      this.attempt = overrides.attempt ?? parent.attempt;
      this.startedAt = parent.startedAt;
      this._frame = parent._frame;
      this._budget = parent._budget;
      let scope: AbortParent | undefined = derivingAbort ?? parent._abort;
      if (overrides.signal !== undefined) scope = new LazyAbort(scope, overrides.signal);
      let deadline = overrides.deadline;
      if (deadline !== undefined) deadline = checkedDeadline(deadline);
      if (deadline !== undefined && (parent.deadline === undefined || deadline < parent.deadline)) {
        this.deadline = deadline;
        this._abort = new LazyAbort(scope);
        this._deadlineArmed = false;
      } else {
        this.deadline = parent.deadline;
        this._abort = scope;
        // A child run before its parent ever executed must still arm the run's deadline.
        this._deadlineArmed = parent._deadlineArmed || scope !== parent._abort;
      }
      return;
    }
    validateContextOptions(options);
    this.clock = options.clock ?? systemClock;
    const { correlationId, state, runId } = options;
    this.runRef = correlationId === undefined && state === undefined && runId === undefined ? undefined : new RunScope(correlationId, state, runId);
    this.dataValue = options.data;
    this.parentSpanContext = options.parentSpanContext;
    this.baggageValue = options.baggage;
    this.sink = options.logger ?? silentLogger;
    this.attempt = undefined;
    this._budget = undefined;
    this.startedAt = this.clock.now();
    this._frame = undefined;
    // Infinity (of either option) means no deadline: no timer, no abort scope.
    const given = options.deadline ?? (options.timeoutMs === undefined ? undefined : this.startedAt + options.timeoutMs);
    const deadline = given === Infinity ? undefined : given;
    this.deadline = deadline;
    const external = options.signal === undefined ? undefined : signalParent(options.signal);
    this._abort = deadline === undefined ? external : new LazyAbort(external);
    this._deadlineArmed = deadline === undefined;
  }

  /**
   * Identifies the run in logs, spans and metrics exemplars; shared by every child. Generated on
   * first read when none was given (a UUID costs time and memory that most runs never use).
   */
  get correlationId(): string {
    const run = this.run();
    return (run.id ??= generateId());
  }

  /** User data, read by every step. */
  get data(): Readonly<Record<string, unknown>> {
    return (this.dataValue ??= {});
  }

  /** W3C baggage entries propagated with the run. */
  get baggage(): Readonly<Record<string, string>> {
    return (this.baggageValue ??= {});
  }

  /** Mutable state shared by the whole run: sequential steps see earlier writes. */
  get state(): Map<string, unknown> {
    const run = this.run();
    return (run.state ??= new Map());
  }

  /** Creates a context; the same as `new WorkflowContext(options)`. */
  static create(options: WorkflowContextOptions = {}): WorkflowContext {
    return new WorkflowContext(options);
  }

  /** True once the run is cancelled (signal aborted, deadline passed, or a sibling failed fast). */
  get aborted(): boolean {
    return this._abort !== undefined && this._abort.aborted;
  }

  /** Why the run was cancelled, when {@link aborted} is true. */
  get abortReason(): unknown {
    return this._abort?.abortReason;
  }

  /** Signal that aborts when the run is cancelled; pass it to `fetch` and other abortable calls. */
  get signal(): AbortSignal {
    return this._abort === undefined ? neverAbortedSignal() : this._abort.signal;
  }

  /** Throws the abort reason when the run is cancelled. */
  throwIfAborted(): void {
    if (this.aborted) throw this.abortReason;
  }

  /** Milliseconds left before the deadline (negative once passed); `Infinity` without one. */
  remainingMs(): number {
    return this.deadline === undefined ? Infinity : this.deadline - this.clock.now();
  }

  /** Milliseconds since the run started. */
  elapsedMs(): number {
    return this.clock.now() - this.startedAt;
  }

  /** Records a named checkpoint (shared by every branch of the run). */
  checkpoint(name: string): Checkpoint {
    const entry = { name, elapsedMs: this.elapsedMs() };
    (this.run().checkpoints ??= []).push(entry);
    return entry;
  }

  /** Checkpoints recorded so far, in order. */
  get checkpoints(): readonly Checkpoint[] {
    return (this.run().checkpoints ??= []);
  }

  /**
   * The id of the durable unit of work this run belongs to (a `WorkerPool` job id), shared by every
   * child; stable across re-deliveries, so use it as the idempotency key of side effects. `undefined`
   * for a run that was not started with one.
   */
  get runId(): string | undefined {
    return this.existingRun()?.runId;
  }

  /**
   * Adds what one model call spent to the run's totals (shared by every child context) and to every
   * budget the context runs in. A report that takes a budget past a limit aborts the other
   * in-flight work inside that budget with `BudgetExceededError`. A bad report (negative, NaN or
   * infinite amounts, no model) is refused with `InvalidInputError`.
   *
   * @example
   * ```ts
   * const context = WorkflowContext.create();
   * context.reportUsage({ model: 'gpt-4o-mini', inputTokens: 120, outputTokens: 40, costUsd: 0.0001 });
   * ```
   */
  reportUsage(report: UsageReport): void {
    assertUsageReport(report);
    const extensions = this._runExtensions(true)!;
    let ledger = extensions.get(usageLedgerKey) as UsageLedger | undefined;
    if (ledger === undefined) extensions.set(usageLedgerKey, (ledger = new UsageLedger()));
    ledger.add(report);
    for (let budget = this._budget; budget !== undefined; budget = budget.parent) budget.charge(report, this.logger);
    // Only the known fields, copied: the event must not carry whatever else the caller's object holds.
    const { model, inputTokens, outputTokens, costUsd, estimated, provider } = report;
    emitPrimitiveEvent(
      {
        type: 'usage',
        model,
        inputTokens,
        outputTokens,
        ...(costUsd === undefined ? {} : { costUsd }),
        ...(estimated === undefined ? {} : { estimated }),
        ...(provider === undefined ? {} : { provider }),
      },
      usageSource,
      this,
    );
  }

  /**
   * What the whole run has spent so far, from every report of every context of the run: `{ calls,
   * inputTokens, outputTokens, costUsd, byModel }` (a snapshot; later reports do not change it).
   */
  get usage(): UsageSnapshot {
    const ledger = this.existingRun()?.extensions?.get(usageLedgerKey) as UsageLedger | undefined;
    return ledger === undefined ? emptyUsage : ledger.snapshot();
  }

  /**
   * Throws `BudgetExceededError` when a budget this context runs in has reached a limit. Call it
   * before spending (every model step does); outside any budget it does nothing.
   *
   * @example
   * ```ts
   * const call = step('call', async (prompt: string, context) => {
   *   context.checkBudget();
   *   return prompt.toUpperCase();
   * });
   * ```
   */
  checkBudget(): void {
    for (let budget = this._budget; budget !== undefined; budget = budget.parent) budget.check();
  }

  /**
   * The key a step should give its side effects (a payment, an email) so that running it again
   * does not repeat them: `runId` and the step's path, `'<runId>:<path>'`, the same in every
   * process and on every resume of a durable run, and for every attempt of a `retry` or `hedge`
   * (their attempts share the first attempt's path here: `charge`, not `charge#2`). `undefined` unless the run has a `runId` and
   * the step runs with step paths (in a durable run, or under any registered instrumentation).
   *
   * @example
   * ```ts
   * const charge = step('charge', async (cents: number, context) =>
   *   ({ cents, idempotencyKey: context.idempotencyKey }));
   * ```
   */
  get idempotencyKey(): string | undefined {
    const runId = this.existingRun()?.runId;
    const frame = this._frame;
    // A run every instrumentation declined has no step paths (its frame observes nothing).
    return runId === undefined || frame === undefined || frame._declined === declinedByAll ? undefined : `${runId}:${idempotencyPath(frame)}`;
  }

  /**
   * @internal Per-run slots of integrations (see `getRunExtension`), shared by every child; made
   * only when `create` is true, so reading them on a run that has none allocates nothing.
   */
  _runExtensions(create: boolean): Map<symbol, unknown> | undefined {
    return create ? (this.run().extensions ??= new Map()) : this.existingRun()?.extensions;
  }

  /** The run's scope, made on first use (by the run's first context, so every child shares it). */
  private run(): RunScope {
    const ref = this.runRef;
    if (ref instanceof RunScope) return ref;
    const scope = ref === undefined ? new RunScope(undefined, undefined, undefined) : ref.run();
    this.runRef = scope;
    return scope;
  }

  /** The run's scope when something has made it; never allocates. */
  private existingRun(): RunScope | undefined {
    const ref = this.runRef;
    return ref instanceof WorkflowContext ? ref.existingRun() : ref;
  }

  /** Logger whose records carry the correlation id and have secrets redacted. */
  get logger(): Logger {
    return (this.boundLogger ??= bindLogger(this.sink, { correlationId: this.correlationId }));
  }

  /**
   * A context for a branch: same correlation id, state, checkpoints and logger; its own data,
   * signal, deadline, span parent or attempt where given. It is cancelled with its parent.
   */
  child(overrides: ChildContextOverrides = {}): WorkflowContext {
    return WorkflowContext.derive(this, overrides, undefined);
  }

  /**
   * @internal `parent` as the first attempt of a retry sees it (`attempt: 1`). A child made by
   * `derive` only reads its parent's settings, which never change, so one such view serves every
   * retry run directly on `parent`: a retry's success path then makes no context at all.
   */
  static firstAttempt(parent: WorkflowContext): WorkflowContext {
    return (parent.firstAttemptView ??= WorkflowContext.derive(parent, firstAttemptOverrides, undefined));
  }

  /**
   * @internal A child whose cancellation is `abort` (a scope owned by a composite primitive,
   * such as the branches of a parallel that fail fast together).
   */
  static derive(parent: WorkflowContext, overrides: ChildContextOverrides, abort: AbortParent | undefined): WorkflowContext {
    derivingParent = parent;
    derivingOverrides = overrides;
    derivingAbort = abort;
    try {
      return new WorkflowContext(noOptions);
    } finally {
      derivingParent = undefined;
      derivingOverrides = noOptions;
      derivingAbort = undefined;
    }
  }

  /** @internal A child that is the same run as `parent`, for the steps of the execution `frame`. */
  static withFrame(parent: WorkflowContext, frame: StepFrame): WorkflowContext {
    const context = WorkflowContext.derive(parent, noOptions, undefined);
    context._frame = frame;
    return context;
  }

  /**
   * @internal Starts the deadline timer; returns the function that stops it. Called by the
   * outermost `execute` on this context.
   */
  _armDeadline(): () => void {
    this._deadlineArmed = true;
    const deadline = this.deadline;
    const scope = this._abort;
    if (deadline === undefined || !(scope instanceof LazyAbort)) return noop;
    const remaining = deadline - this.clock.now();
    if (remaining <= 0) {
      scope.abort(new DeadlineExceededError(deadline));
      return noop;
    }
    const clock = this.clock;
    const handle = clock.setTimeout(() => scope.abort(new DeadlineExceededError(deadline)), remaining);
    scope.hold();
    return () => {
      clock.clearTimeout(handle);
      this._deadlineArmed = false;
      scope.drop();
    };
  }
}

const noop = (): void => {};
// Usage events come from the context, not from one primitive: they name the source after themselves.
const usageSource = Object.freeze({ name: 'usage', kind: 'usage' });
/** The run's usage ledger among its extensions. */
const usageLedgerKey = Symbol('tta.usage');
const firstAttemptOverrides: ChildContextOverrides = Object.freeze({ attempt: 1 });

/** The parts of a context that every context of one run shares. */
class RunScope {
  constructor(
    public id: string | undefined,
    public state: Map<string, unknown> | undefined,
    public readonly runId: string | undefined,
  ) {}
  checkpoints: Checkpoint[] | undefined = undefined;
  /** Per-run data of integrations, and the run's usage ledger: one slot, as most runs have neither. */
  extensions: Map<symbol, unknown> | undefined = undefined;
}

// What `derive` hands to the constructor (synchronously; reset right after).
const noOptions: WorkflowContextOptions & ChildContextOverrides = Object.freeze({});
let derivingParent: WorkflowContext | undefined;
let derivingOverrides: ChildContextOverrides = noOptions;
let derivingAbort: AbortParent | undefined;

/** A child's deadline override, checked like the options' one; `Infinity` adds no deadline. */
function checkedDeadline(deadline: number): number | undefined {
  assertDeadline('WorkflowContext.child', 'deadline', deadline);
  return deadline === Infinity ? undefined : deadline;
}

function validateContextOptions(options: WorkflowContextOptions): void {
  const fail = (option: string, rule: string): never => {
    throw new InvalidOptionsError('WorkflowContext', option, rule);
  };
  requireOptionsObject('WorkflowContext', options, { optional: true });
  const { correlationId, data, state, signal, deadline, timeoutMs, clock, logger, baggage, runId } = options;
  requireNonEmptyString('WorkflowContext', 'correlationId', correlationId, { optional: true });
  requireNonEmptyString('WorkflowContext', 'runId', runId, { optional: true });
  if (data !== undefined && (typeof data !== 'object' || data === null)) fail('data', 'must be an object');
  if (state !== undefined && !(state instanceof Map)) fail('state', 'must be a Map');
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')) fail('signal', 'must be an AbortSignal');
  if (deadline !== undefined) assertDeadline('WorkflowContext', 'deadline', deadline);
  if (timeoutMs !== undefined) assertDuration('WorkflowContext', 'timeoutMs', timeoutMs, { infinity: true });
  assertClock('WorkflowContext', clock);
  requireMethods('WorkflowContext', 'logger', logger, { optional: true, methods: ['debug', 'info', 'warn', 'error'], description: 'a Logger (debug(), info(), warn() and error())' });
  if (baggage !== undefined && (typeof baggage !== 'object' || baggage === null)) fail('baggage', 'must be an object of strings');
}
