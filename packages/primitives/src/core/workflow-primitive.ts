import type { WorkflowContext } from './workflow-context.js';
import { reportListenerError } from './disposable.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { describeValue } from './describe-value.js';
import { requireBoolean, requireNonEmptyString, requireOptionsObject } from './options.js';
import { declinedByAll, instrumentations, observersOf, runDeclined, type ExecutionInfo, type ExecutionResult, type Instrumentation } from '../observability/instrumentation.js';
import { metrics, type MetricRecord } from '../observability/primitive-metrics.js';
import { createRunContext, type RunOptions } from './run-options.js';
import { untilAborted } from './abort.js';
import { StepFrame } from './step-frame.js';
import { noChildren, unlabelledChildren, type PrimitiveChild } from './primitive-child.js';
import { describePrimitive } from './describe.js';
import type { PrimitiveDescription, PrimitiveOptionsSummary } from './primitive-description.js';

/** Options every primitive accepts. */
export interface PrimitiveOptions {
  /**
   * Names the primitive in metrics, spans and logs.
   * @default the primitive's kind, for example `'retry'`
   */
  readonly name?: string;
  /**
   * Set to `false` to leave this primitive out of spans and metrics (for very hot paths).
   * @default true
   */
  readonly instrument?: boolean;
}

/** Input type of a primitive. */
export type InputOf<TPrimitive> = TPrimitive extends WorkflowPrimitive<infer TInput, any> ? TInput : never;
/** Output type of a primitive. */
export type OutputOf<TPrimitive> = TPrimitive extends WorkflowPrimitive<any, infer TOutput> ? TOutput : never;
/** Any primitive, whatever its types. */
export type AnyPrimitive = WorkflowPrimitive<any, any>;

/**
 * A typed, composable unit of work. `execute(context, input)` is the public entry: it checks
 * cancellation and the deadline, runs the instrumentation (built-in metrics, spans) and calls the
 * subclass's `executeImpl`. Subclass it (or {@link InstrumentedPrimitive}) for a custom primitive,
 * or lift a function with `step(name, fn)`.
 *
 * @example
 * ```ts
 * class Uppercase extends WorkflowPrimitive<string, string> {
 *   constructor() { super('uppercase'); }
 *   protected async executeImpl(_context: WorkflowContext, input: string) { return input.toUpperCase(); }
 * }
 * ```
 */
export abstract class WorkflowPrimitive<in TInput, out TOutput> {
  /** Names the primitive in metrics, spans and logs. */
  readonly name: string;
  /** What the primitive is: `'step'`, `'sequential'`, `'retry'`... */
  readonly kind: string;
  /** False when the primitive is left out of spans and metrics. */
  readonly instrument: boolean;
  private metricRecord: MetricRecord | undefined;

  /**
   * @param kind what the primitive is (`'retry'`, `'summarise'`...); a custom primitive may leave it
   *   out, and then its class name in kebab case is used (`class TruncateText` -> `'truncate-text'`).
   * @param options `name` and `instrument`
   */
  protected constructor(kind?: string | PrimitiveOptions, options?: PrimitiveOptions);
  protected constructor(kindOrOptions?: string | PrimitiveOptions, maybeOptions: PrimitiveOptions = {}) {
    const kind = typeof kindOrOptions === 'string' ? kindOrOptions : kindFromClassName(new.target.name);
    const options = typeof kindOrOptions === 'string' || kindOrOptions === undefined ? maybeOptions : kindOrOptions;
    requireOptionsObject(kind, options);
    requireNonEmptyString(kind, 'name', options.name, { optional: true });
    requireBoolean(kind, 'instrument', options.instrument, { optional: true });
    this.kind = kind;
    this.name = options.name ?? kind;
    this.instrument = options.instrument ?? true;
  }

  /** The work itself. Reject (or throw) to fail; read `context.signal` to stop early. */
  protected abstract executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput>;

  /** Runs the primitive. Rejects with the abort reason when the context is already cancelled. */
  execute(context: WorkflowContext, input: TInput): Promise<TOutput> {
    // `?.` keeps the hot path one property read; anything but an armed context takes the slow path,
    // which checks that the argument is a context at all.
    if (context?._deadlineArmed !== true) return this.executeWithDeadline(context, input);
    const abort = context._abort;
    if (abort !== undefined && abort.aborted) return Promise.reject(abort.abortReason);
    if (!this.instrument) return this.invoke(context, input);
    if (instrumentations.list.length !== 0 && observersOf(context).length !== 0) return this.executeInstrumented(context, input);
    if (!metrics.enabled) return this.invoke(context, input);
    return this.executeMetered(context, input);
  }

  /**
   * Runs the primitive once on a context of its own: the one-call entry when the caller has no
   * context to share. `signal`, `deadline`, `data` and `correlationId` go to the new context; an
   * unknown key or a bad value rejects with `InvalidOptionsError` (a deadline a `Date` cannot hold,
   * with `InvalidInputError`). When the signal aborts or the deadline passes, the run rejects at
   * once (with the signal's reason, or `DeadlineExceededError`), also when a step ignores its
   * `context.signal`: such a step's work is left to finish, and its outcome is discarded. The
   * deadline timer and every listener it adds end with the run.
   * For a logger, a clock, shared state or a trace parent, create a `WorkflowContext` and call
   * {@link execute}.
   *
   * @example
   * ```ts
   * const summarise = step('summarise', async (text: string, context) => `${context.data['tone']}: ${text.slice(0, 40)}`);
   * const summary = await summarise.run('A long article...', {
   *   signal: AbortSignal.timeout(30_000),
   *   data: { tone: 'brief' },
   * });
   * ```
   */
  run(input: TInput, options?: RunOptions): Promise<TOutput> {
    let context: WorkflowContext;
    try {
      context = createRunContext(this.name, options);
    } catch (error) {
      return Promise.reject(error);
    }
    let work: Promise<TOutput>;
    if (instrumentations.list.length !== 0 && this.instrument) {
      // The context is this run's own: who observes the run is asked here, and a run every
      // instrumentation declines is marked on it directly (`execute` would make a child to say so).
      const declined = runDeclined(instrumentations.list, this, context);
      if (declined === declinedByAll) context._frame = StepFrame.unobserved;
      else {
        decidedContext = context;
        decidedDeclined = declined;
      }
      try {
        work = this.execute(context, input);
      } finally {
        decidedContext = undefined;
        decidedDeclined = undefined;
      }
    } else work = this.execute(context, input);
    const scope = context._abort;
    // No signal and no deadline: nothing can cancel the run, so it costs nothing more.
    if (scope === undefined || scope.aborted) return work;
    // `execute` stops between steps; a step that never reads its signal would otherwise hold the
    // caller past the abort or the deadline, which `run`'s options exist to bound.
    return untilAborted(work, scope);
  }

  /**
   * Runs `next` on this primitive's output: `a.pipe(b)` is the `a >> b` of the Python original.
   * Sequences flatten, so `a.pipe(b).pipe(c)` runs three steps, not two nested pairs.
   */
  pipe<TNext>(next: WorkflowPrimitive<TOutput, TNext>): SequentialPrimitive<TInput, TNext> {
    return new SequentialPrimitive<TInput, TNext>([...flattenSequence(this), ...flattenSequence(next)]);
  }

  /**
   * The primitives this one runs, in definition order, each with what it is to this one (see
   * {@link PrimitiveChild}); a leaf has none. `describe`, `toMermaid`, `fingerprint` and durable
   * step paths walk a workflow through it. Not meant to be called by users; a custom composite
   * overrides it so that those tools see its children.
   *
   * @example
   * ```ts
   * class Twice<T> extends WorkflowPrimitive<T, T> {
   *   constructor(private readonly inner: WorkflowPrimitive<T, T>) { super('twice'); }
   *   override _children(): readonly PrimitiveChild[] { return [{ label: undefined, primitive: this.inner }]; }
   *   protected async executeImpl(context: WorkflowContext, input: T) {
   *     return this.inner.execute(context, await this.inner.execute(context, input));
   *   }
   * }
   * ```
   */
  _children(): readonly PrimitiveChild[] {
    return noChildren;
  }

  /**
   * What this primitive is, as plain JSON: its kind, name, options (summarised: callbacks as
   * `'function'`, credentials redacted) and the description of every primitive it runs, each with
   * what it is to this one (`label`). A primitive used twice appears twice. The same definition
   * gives the same description in every process: `fingerprint` digests it, `toMermaid` draws it.
   * A workflow that contains itself, holds more than 10,000 primitives or nests deeper than 256
   * levels is refused with `InvalidInputError`.
   *
   * @example
   * ```ts
   * const search = parallel({ web: step('web', async (query: string) => [query]), docs: step('docs', async (query: string) => [query]) });
   * console.log(JSON.stringify(search.describe()));
   * // {"kind":"parallel","name":"parallel","options":{"concurrency":"Infinity","mode":"fail-fast"},
   * //  "children":[{"kind":"step","name":"web","label":"web"},{"kind":"step","name":"docs","label":"docs"}]}
   * ```
   */
  describe(): PrimitiveDescription {
    return describePrimitive(this);
  }

  /**
   * This primitive's options for {@link WorkflowPrimitive.describe}, by name; `undefined` when it
   * has none worth showing. Functions become `'function'` and `undefined` entries are left out;
   * anything else must be a number, a string or a boolean. A custom primitive overrides it to
   * show its settings (never a secret: string values are redacted anyway).
   *
   * @example
   * ```ts
   * class Truncate extends WorkflowPrimitive<string, string> {
   *   constructor(private readonly maxLength: number) { super('truncate'); }
   *   override _describeOptions(): PrimitiveOptionsSummary { return { maxLength: this.maxLength }; }
   *   protected async executeImpl(_context: WorkflowContext, input: string) { return input.slice(0, this.maxLength); }
   * }
   * ```
   */
  _describeOptions(): PrimitiveOptionsSummary | undefined {
    return undefined;
  }

  private invoke(context: WorkflowContext, input: TInput): Promise<TOutput> {
    try {
      return this.executeImpl(context, input);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Where the built-in metrics time a call of `execute` (metrics on, no instrumentation
   * registered): every primitive's `executeImpl` is its whole logic. Every execution is counted;
   * only the sampled ones read the clock (see `MetricRecord.timesNext`), and the others add one
   * promise reaction and no closure. A composite's steps are recorded by the same record through
   * {@link WorkflowPrimitive._stepStart}, without that reaction.
   */
  private executeMetered(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const record = (this.metricRecord ??= metrics.recordFor(this.name, this.kind));
    if (this._executeCounted !== undefined) {
      // The primitive settles a promise of its own and records the outcome where it does so, so
      // the call costs no promise reaction here.
      const token = record.timesNext() ? metrics._now() : countedOnly;
      try {
        return this._executeCounted(context, input, token);
      } catch (error) {
        this._stepEnd(token, false);
        return Promise.reject(error);
      }
    }
    if (!record.timesNext()) return this.invoke(context, input).then(record.countSuccess, record.countFailure);
    const now = metrics._now;
    const start = now();
    return this.invoke(context, input).then(
      (value) => {
        record.success(now() - start);
        return value;
      },
      (error: unknown) => {
        record.failure(now() - start);
        throw error;
      },
    );
  }

  /**
   * @internal First of the three calls by which a composite runs this primitive as one of its
   * steps: `const token = step._stepStart(context)`, then `step._executeStep(context, input, token)`,
   * then `step._stepEnd(token, ok)` where the composite learns the outcome (after its `await`, or in
   * a reaction it has anyway). The step's execution is then counted, and timed when sampled, by the
   * same record as `execute` would use, without the promise reaction `execute` needs to see the
   * outcome: a composite's loop is written once and the metrics cost it a counter per step.
   */
  _stepStart(context: WorkflowContext): number {
    if (!this.instrument || !metrics.enabled || (instrumentations.list.length !== 0 && observersOf(context).length !== 0)) return recordedByExecute;
    // A context that is not armed, or already aborted, takes `execute`'s own checks.
    if (context?._deadlineArmed !== true || context._abort?.aborted === true) return recordedByExecute;
    const record = (this.metricRecord ??= metrics.recordFor(this.name, this.kind));
    return record.timesNext() ? metrics._now() : countedOnly;
  }

  /** @internal Runs this primitive as a step (see {@link WorkflowPrimitive._stepStart}). */
  _executeStep(context: WorkflowContext, input: TInput, token: number): Promise<TOutput> {
    return token === recordedByExecute ? this.execute(context, input) : this.invoke(context, input);
  }

  /**
   * @internal Optional: a primitive that settles a promise of its own (rather than returning one
   * it awaited) may implement this as its whole logic, with `executeImpl` calling it with
   * `recordedByExecute`. It must call `this._stepEnd(token, ok)` once, when it settles: the
   * built-in metrics then count it without a promise reaction of their own.
   */
  protected _executeCounted?(context: WorkflowContext, input: TInput, token: number): Promise<TOutput>;

  /** @internal Records this step's outcome when `work` settles, and settles like it. */
  _stepEndWhenSettled<T>(work: Promise<T>, token: number): Promise<T> {
    return work.then(
      (value) => {
        this._stepEnd(token, true);
        return value;
      },
      (error: unknown) => {
        this._stepEnd(token, false);
        throw error;
      },
    );
  }

  /** @internal Records a step's outcome (see {@link WorkflowPrimitive._stepStart}). */
  _stepEnd(token: number, ok: boolean): void {
    if (token === recordedByExecute) return;
    const record = this.metricRecord!;
    if (token === countedOnly) {
      if (ok) record.successes++;
      else record.failures++;
      return;
    }
    const durationMs = metrics._now() - token;
    if (ok) record.success(durationMs);
    else record.failure(durationMs);
  }

  private async executeWithDeadline(context: WorkflowContext, input: TInput): Promise<TOutput> {
    if (!isContext(context)) {
      throw new InvalidInputError(this.name, `execute(context, input) needs a WorkflowContext as its first argument (got ${describeValue(context)}); create one with new WorkflowContext()`);
    }
    const disarm = context._armDeadline();
    try {
      return await this.execute(context, input);
    } finally {
      disarm();
    }
  }

  private executeInstrumented(outerContext: WorkflowContext, input: TInput): Promise<TOutput> {
    let list = observersOf(outerContext);
    // A run's first execution asks who observes the run (unless `run` just did, for this context);
    // when some decline, the run keeps the others.
    let declined: readonly Instrumentation[] | undefined;
    if (outerContext._frame !== undefined) declined = undefined;
    else if (decidedContext === outerContext) {
      declined = decidedDeclined;
      decidedContext = undefined;
    } else declined = runDeclined(list, this, outerContext);
    if (declined === declinedByAll) return this.executeUnobserved(outerContext, input);
    // Step paths exist only here, where an instrumentation is registered anyway: the steps this
    // execution runs get a context of their own that knows its frame, so a run without any
    // instrumentation allocates nothing for them. The frame is also the execution's info.
    const execution = StepFrame.enter(outerContext, this, input);
    if (declined !== undefined) {
      // The run's observers, from now on computed from its frames (see `observersOf`).
      execution._declined = declined;
      list = observersOf(execution.context);
    }
    const context = execution.context;
    const now = metrics._now;
    const start = now();
    for (let index = 0; index < list.length; index++) {
      const instrumentation = list[index]!;
      if (instrumentation.onStart === undefined) continue;
      try {
        instrumentation.onStart(execution);
      } catch (error) {
        reportListenerError(error);
      }
    }
    let promise: Promise<TOutput>;
    try {
      promise = this.runAround(list, 0, execution, context, input);
    } catch (error) {
      promise = Promise.reject(error);
    }
    return promise.then(
      (value) => {
        this.finishInstrumented(list, execution, { status: 'success', durationMs: now() - start });
        return value;
      },
      (error: unknown) => {
        this.finishInstrumented(list, execution, { status: 'failure', durationMs: now() - start, error });
        throw error;
      },
    );
  }

  /**
   * A run every registered instrumentation declined: on a context that says so to every execution
   * of the run, timed by the built-in metrics as with none registered.
   */
  private executeUnobserved(outerContext: WorkflowContext, input: TInput): Promise<TOutput> {
    const context = StepFrame.unobservedContext(outerContext);
    return metrics.enabled ? this.executeMetered(context, input) : this.invoke(context, input);
  }

  /**
   * @internal Starts this primitive as an instrumented step whose outcome the calling composite
   * reports with {@link WorkflowPrimitive._observedStepEnd} after its own `await`, which saves the
   * promise reaction `execute` adds. Undefined when `execute` must run it: nothing registered, an
   * `around` to wrap the run in, instrumentation off, or a context `execute` has checks for.
   * `startMs` is the clock reading of the previous step's end when this step starts right after
   * it, in the same turn: one reading then serves the boundary between the two.
   */
  _observedStepStart(context: WorkflowContext, input: TInput, startMs?: number): StepFrame | undefined {
    if (!this.instrument || context?._deadlineArmed !== true || context._abort?.aborted === true) return undefined;
    const list = observersOf(context);
    // No frame: a run's first execution (under a composite left out of the seam), which `execute` starts.
    if (list.length === 0 || context._frame === undefined) return undefined;
    for (let index = 0; index < list.length; index++) if (list[index]!.around !== undefined) return undefined;
    const execution = StepFrame.enter(context, this, input);
    execution._instrumentations = list;
    execution._startMs = startMs ?? metrics._now();
    for (let index = 0; index < list.length; index++) {
      const instrumentation = list[index]!;
      if (instrumentation.onStart === undefined) continue;
      try {
        instrumentation.onStart(execution);
      } catch (error) {
        reportListenerError(error);
      }
    }
    return execution;
  }

  /** @internal Runs a step started by {@link WorkflowPrimitive._observedStepStart}. */
  _runObservedStep(execution: StepFrame, input: TInput): Promise<TOutput> {
    return this.invoke(execution.context, input);
  }

  /**
   * @internal Reports the end of a step started by {@link WorkflowPrimitive._observedStepStart};
   * returns the clock reading it ended at.
   */
  _observedStepEnd(execution: StepFrame, error: unknown, failed: boolean): number {
    const endMs = metrics._now();
    const durationMs = endMs - execution._startMs;
    this.finishInstrumented(execution._instrumentations, execution, failed ? { status: 'failure', durationMs, error } : { status: 'success', durationMs });
    return endMs;
  }

  /** Runs the work inside every `around` from `position` on: the first registered is the outermost. */
  private runAround(list: readonly Instrumentation[], position: number, execution: ExecutionInfo, context: WorkflowContext, input: TInput): Promise<TOutput> {
    for (let index = position; index < list.length; index++) {
      const owner = list[index]!;
      if (owner.around !== undefined) return owner.around(execution, () => this.runAround(list, index + 1, execution, context, input));
    }
    return this.invoke(context, input);
  }

  private finishInstrumented(list: readonly Instrumentation[], execution: ExecutionInfo, result: ExecutionResult): void {
    if (metrics.enabled) {
      // Every execution is timed here anyway (the instrumentations need it), so none is sampled out.
      const record = (this.metricRecord ??= metrics.recordFor(this.name, this.kind));
      if (result.status === 'success') record.success(result.durationMs);
      else record.failure(result.durationMs);
    }
    for (let index = 0; index < list.length; index++) {
      const instrumentation = list[index]!;
      if (instrumentation.onEnd === undefined) continue;
      try {
        instrumentation.onEnd(execution, result);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

// What `run` decided about the run it starts on its own context, read by that context's first
// execution, which `run` calls synchronously (reset right after).
let decidedContext: WorkflowContext | undefined;
let decidedDeclined: readonly Instrumentation[] | undefined;

/** @internal A step token: `execute` records the step itself (or nothing is recorded). */
export const recordedByExecute = -Infinity;
/** A step token: the step is counted but not timed. Any other token is the start time. */
const countedOnly = Infinity;

/** The documented base class for custom primitives (the name used by the Python original). */
export abstract class InstrumentedPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {}

/**
 * True for a context, checked by shape rather than `instanceof` so that a context made by another
 * installed copy of the package still passes.
 */
function isContext(value: unknown): value is WorkflowContext {
  return typeof value === 'object' && value !== null && typeof (value as { _armDeadline?: unknown })._armDeadline === 'function';
}

function kindFromClassName(className: string): string {
  const base = className.replace(/Primitive$/, '') || 'primitive';
  return base.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function flattenSequence(primitive: AnyPrimitive): AnyPrimitive[] {
  // Only anonymous, instrumented sequences are flattened: a named sequence keeps its own metrics.
  if (primitive instanceof SequentialPrimitive && primitive.name === 'sequential' && primitive.instrument) {
    return [...primitive.steps];
  }
  return [primitive];
}

/**
 * Runs its steps one after another, each on the previous one's output; every step sees the same
 * context, so state written by a step is visible to the later ones. The run stops before the next
 * step once the context is cancelled. Made by `a.pipe(b)` or `sequential(a, b, c)`.
 *
 * Lives in this file because `pipe` constructs it: splitting the two would make a module cycle.
 */
export class SequentialPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  /** The steps, in order. */
  readonly steps: readonly AnyPrimitive[];

  constructor(steps: readonly AnyPrimitive[], options: PrimitiveOptions = {}) {
    super('sequential', options);
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new InvalidOptionsError('SequentialPrimitive', 'steps', 'must be a non-empty array of primitives');
    }
    for (const [index, candidate] of steps.entries()) {
      if (!(candidate instanceof WorkflowPrimitive)) {
        throw new InvalidOptionsError('SequentialPrimitive', `steps[${index}]`, 'is not a WorkflowPrimitive');
      }
    }
    this.steps = [...steps];
  }

  override _children(): readonly PrimitiveChild[] {
    return unlabelledChildren(this.steps);
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    // Two loops rather than one with a branch: the locals of an async function live as long as it
    // is pending, so the plain loop keeps a pending run as small as it was before steps were observed.
    return observersOf(context).length === 0 ? this.runSteps(context, input) : this.runObservedSteps(context, input);
  }

  private async runSteps(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const steps = this.steps;
    let value: unknown = input;
    for (let index = 0; index < steps.length; index++) {
      const current = steps[index]!;
      const token = current._stepStart(context);
      try {
        value = await current._executeStep(context, value, token);
      } catch (error) {
        current._stepEnd(token, false);
        throw error;
      }
      current._stepEnd(token, true);
    }
    return value as TOutput;
  }

  /** The loop while an instrumentation is registered: steps are reported without `execute`'s reaction. */
  private async runObservedSteps(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const steps = this.steps;
    let value: unknown = input;
    // The end of an observed step, when the next one starts in the same turn (no await between).
    let boundaryMs: number | undefined;
    for (let index = 0; index < steps.length; index++) {
      const current = steps[index]!;
      const token = current._stepStart(context);
      const observed = token === recordedByExecute ? current._observedStepStart(context, value, boundaryMs) : undefined;
      boundaryMs = undefined;
      if (observed !== undefined) {
        // Reported here, after the `await` the loop makes anyway: no promise reaction of `execute`'s.
        try {
          value = await current._runObservedStep(observed, value);
        } catch (error) {
          current._observedStepEnd(observed, error, true);
          throw error;
        }
        boundaryMs = current._observedStepEnd(observed, undefined, false);
        continue;
      }
      try {
        value = await current._executeStep(context, value, token);
      } catch (error) {
        current._stepEnd(token, false);
        throw error;
      }
      current._stepEnd(token, true);
    }
    return value as TOutput;
  }
}
