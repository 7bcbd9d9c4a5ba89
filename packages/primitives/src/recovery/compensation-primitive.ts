import { assertDuration } from '../core/duration.js';
import { subscribeToAbort } from '../core/abort.js';
import { WorkflowPrimitive, type OutputOf, type InputOf, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { WorkflowContext } from '../core/workflow-context.js';
import { LazyAbort } from '../core/abort.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import type { Clock } from '../core/clock.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { CompensationError } from '../errors/compensation-error.js';
import { isRunPaused } from '../core/run-paused.js';
import { emitPrimitiveEvent } from '../observability/instrumentation.js';
import { TimeoutPrimitive } from './timeout-primitive.js';
import { type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** What an undo receives: the input and the output of its own step. */
export interface UndoInput<TInput, TOutput> {
  readonly input: TInput;
  readonly output: TOutput;
}

/** One step of a saga and the primitive that undoes it. */
export interface CompensationStep<TInput, TOutput> {
  readonly step: WorkflowPrimitive<TInput, TOutput>;
  readonly undo: WorkflowPrimitive<UndoInput<TInput, TOutput>, unknown>;
}

type AnyStep = CompensationStep<any, any>;

/** Checks a list of saga steps: each step must accept the previous step's output, each undo its own step's input and output. */
export type CompensationChainCheck<TSteps extends readonly AnyStep[], TPrevious = never, TChecked extends readonly unknown[] = []> =
  TSteps extends readonly [infer THead extends AnyStep, ...infer TRest extends readonly AnyStep[]]
    ? CompensationChainCheck<
        TRest,
        OutputOf<THead['step']>,
        [...TChecked, CompensationStep<[TPrevious] extends [never] ? InputOf<THead['step']> : TPrevious, OutputOf<THead['step']>>]
      >
    : TChecked;

type LastStep<TSteps extends readonly AnyStep[]> = TSteps extends readonly [...AnyStep[], infer TLast extends AnyStep] ? TLast : AnyStep;

/** Input of a saga: the first step's input. */
export type CompensationInput<TSteps extends readonly AnyStep[]> = TSteps extends readonly [infer THead extends AnyStep, ...AnyStep[]] ? InputOf<THead['step']> : unknown;
/** Output of a saga: the last step's output. */
export type CompensationOutput<TSteps extends readonly AnyStep[]> = OutputOf<LastStep<TSteps>['step']>;

/** Options of {@link CompensationPrimitive}. */
export interface CompensationOptions<TSteps extends readonly AnyStep[]> extends PrimitiveOptions {
  /** The steps in order, each with its undo; outputs chain from step to step. */
  readonly steps: TSteps;
  /**
   * Time limit of each undo. Undos run on a context that is not cancelled with the run (so that a
   * timeout or an abort can still be compensated), and this bounds them instead. `Infinity` for none.
   * @default 30_000
   */
  readonly undoTimeoutMs?: number;
  /** Clock for the undo time limit. @default the context's clock */
  readonly clock?: Clock;
}

/** Reported when a compensation has finished. */
export interface CompensateEvent {
  /** The failure, abort reason or timeout that started it. */
  readonly error: unknown;
  /** Number of completed steps that were undone (or attempted). */
  readonly undone: number;
  /** Undo failures, in the order the undos ran; empty when every undo succeeded. */
  readonly undoErrors: readonly unknown[];
  readonly context: WorkflowContext;
}

const kind = 'CompensationPrimitive';

/** A completed step waiting to be undone: its position (which undo) and what that undo receives. */
interface CompletedStep {
  readonly index: number;
  readonly undoInput: UndoInput<unknown, unknown>;
}

/**
 * One execution's undo bookkeeping. `completed` is a stack in order of completion; the single
 * compensation loop pops from it, so undos never overlap and a step that completes late is undone
 * right after the undo in flight.
 */
interface SagaRun {
  readonly completed: CompletedStep[];
  phase: 'forward' | 'compensating' | 'done';
}

/**
 * A saga: runs steps in order, each on the previous output. When a step fails, or the run is
 * aborted or times out between or during steps, every step that completed is undone in reverse
 * order; each undo gets `{ input, output }` of its own step. The call then rejects with the
 * original error, or with {@link CompensationError} (original error plus every undo failure) when
 * an undo failed. A step that was interrupted (rejected) is not undone: it did not complete.
 * A run that pauses rather than fails (a durable run suspending at a `waitFor`) undoes nothing:
 * it resumes later and reuses the completed steps.
 *
 * On an abort or a timeout the saga does not wait for the step in flight (it may ignore its
 * signal): it compensates the completed steps at once. Should that step still complete later, its
 * own undo runs too: undos run one at a time, in reverse order of completion, each exactly once, so
 * the late undo comes right after the undo in flight (or, if the compensation is over, on its own,
 * reported by another `onCompensate`).
 *
 * Undos run on a context detached from the run's cancellation, bounded by `undoTimeoutMs`. Under
 * `timeout(saga)`, the caller gets the `TimeoutError` at the deadline while the undos finish in the
 * background; their outcome is reported by `onCompensate` (and the instrumentation seam).
 *
 * @example
 * ```ts
 * const booking = compensation({
 *   steps: [
 *     { step: reserveSeat, undo: releaseSeat },
 *     { step: chargeCard, undo: refundCard },
 *   ],
 * });
 * ```
 */
export class CompensationPrimitive<const TSteps extends readonly AnyStep[]> extends WorkflowPrimitive<CompensationInput<TSteps>, CompensationOutput<TSteps>> {
  readonly steps: TSteps;
  readonly undoTimeoutMs: number;
  private readonly forward: readonly WorkflowPrimitive<unknown, unknown>[];
  private readonly undos: readonly WorkflowPrimitive<UndoInput<unknown, unknown>, unknown>[];
  private readonly compensateEmitter = new EventEmitter<CompensateEvent>();
  /** Fires when a compensation has finished, with every undo failure. */
  readonly onCompensate: Event<CompensateEvent> = this.compensateEmitter.event;

  constructor(options: CompensationOptions<TSteps> & { readonly steps: CompensationChainCheck<TSteps> }) {
    super('compensation', options);
    const steps = (options as Partial<CompensationOptions<TSteps>> | undefined)?.steps as readonly unknown[] | undefined;
    if (!Array.isArray(steps) || steps.length === 0) throw new InvalidOptionsError(kind, 'steps', 'must be a non-empty array of { step, undo }');
    steps.forEach((entry: unknown, index) => {
      const candidate = entry as Partial<AnyStep> | null;
      if (typeof candidate !== 'object' || candidate === null) throw new InvalidOptionsError(kind, `steps[${index}]`, 'must be an object { step, undo }');
      requirePrimitive(kind, `steps[${index}].step`, candidate.step);
      requirePrimitive(kind, `steps[${index}].undo`, candidate.undo);
    });
    const undoTimeoutMs = options.undoTimeoutMs ?? 30_000;
    assertDuration(kind, 'undoTimeoutMs', undoTimeoutMs, { positive: true, infinity: true });
    this.steps = options.steps;
    this.undoTimeoutMs = undoTimeoutMs;
    const list = steps as readonly AnyStep[];
    this.forward = list.map((entry) => entry.step);
    this.undos = list.map((entry) =>
      undoTimeoutMs === Infinity
        ? entry.undo
        : new TimeoutPrimitive(entry.undo, {
            timeoutMs: undoTimeoutMs,
            instrument: false,
            name: `${entry.undo.name}.timeout`,
            ...(options.clock === undefined ? {} : { clock: options.clock }),
          }),
    );
  }

  override _children(): readonly PrimitiveChild[] {
    // The user's undo, not the timeout this primitive wraps it in: the graph shows what was defined.
    return (this.steps as readonly AnyStep[]).flatMap((entry, index) => [
      { label: `step ${index + 1}`, primitive: entry.step },
      { label: `undo ${index + 1}`, primitive: entry.undo },
    ]);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { undoTimeoutMs: this.undoTimeoutMs };
  }

  protected async executeImpl(context: WorkflowContext, input: CompensationInput<TSteps>): Promise<CompensationOutput<TSteps>> {
    const forward = this.forward;
    const run: SagaRun = { completed: [], phase: 'forward' };
    let value: unknown = input;
    try {
      for (let index = 0; index < forward.length; index++) {
        if (context.aborted) throw context.abortReason;
        const running = forward[index]!.execute(context, value);
        const output = context._abort === undefined ? await running : await this.unlessAborted(context, running, index, value, run);
        run.completed.push({ index, undoInput: { input: value, output } });
        value = output;
      }
    } catch (error) {
      const reason = context.aborted ? context.abortReason : error;
      // A paused run (a durable run suspended at a wait) resumes later and reuses these steps: keep them.
      if (isRunPaused(reason)) throw reason;
      throw await this.compensate(context, run, reason);
    }
    return value as CompensationOutput<TSteps>;
  }

  /**
   * Settles like `running`, or rejects with the abort reason as soon as the context is cancelled.
   * A step left behind that completes later is undone then.
   */
  private unlessAborted(context: WorkflowContext, running: Promise<unknown>, index: number, input: unknown, run: SagaRun): Promise<unknown> {
    const scope = context._abort;
    if (scope === undefined) return running;
    return new Promise<unknown>((resolve, reject) => {
      let abandoned = false;
      let reason: unknown;
      // Subscribing to the scope creates no AbortController on the success path.
      const unsubscribe = subscribeToAbort(scope, (abortReason) => {
        abandoned = true;
        reason = abortReason;
        reject(abortReason);
      });
      running.then(
        (output) => {
          unsubscribe();
          if (!abandoned) resolve(output);
          else {
            run.completed.push({ index, undoInput: { input, output } });
            // The compensation under way undoes it next; once it is over, a new one starts.
            if (run.phase === 'done') void this.compensate(context, run, reason);
          }
        },
        (error: unknown) => {
          unsubscribe();
          if (!abandoned) reject(error);
        },
      );
    });
  }

  /**
   * Undoes the completed steps one at a time, last completed first, each exactly once (including a
   * step that completes while this runs); returns the error the call rejects with.
   */
  private async compensate(context: WorkflowContext, run: SagaRun, error: unknown): Promise<unknown> {
    run.phase = 'compensating';
    // Detached from the run's cancellation: the abort that started the compensation must not stop it.
    const undoContext = WorkflowContext.derive(context, {}, new LazyAbort(undefined));
    const undoErrors: unknown[] = [];
    let undone = 0;
    for (let entry = run.completed.pop(); entry !== undefined; entry = run.completed.pop()) {
      undone++;
      try {
        await this.undos[entry.index]!.execute(undoContext, entry.undoInput);
      } catch (undoError) {
        undoErrors.push(undoError);
      }
    }
    // Set in the same turn as the last pop: a late step completing from now on starts its own run.
    run.phase = 'done';
    if (this.compensateEmitter.hasListeners) this.compensateEmitter.emit({ error, undone, undoErrors, context });
    emitPrimitiveEvent({ type: 'compensate', undone, undoErrors, error }, this, context);
    return undoErrors.length === 0 ? error : new CompensationError(error, undoErrors);
  }
}

/**
 * Makes a {@link CompensationPrimitive} (saga); the step types are checked along the chain.
 *
 * @example
 * ```ts
 * const booking = compensation({ steps: [{ step: reserveSeat, undo: releaseSeat }, { step: chargeCard, undo: refundCard }] });
 * ```
 */
export function compensation<const TSteps extends readonly [AnyStep, ...AnyStep[]]>(
  options: CompensationOptions<TSteps> & { readonly steps: CompensationChainCheck<TSteps> },
): CompensationPrimitive<TSteps> {
  return new CompensationPrimitive<TSteps>(options);
}
