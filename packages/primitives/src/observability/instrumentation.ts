import { toDisposable, reportListenerError, type Disposable } from '../core/disposable.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { redactText } from '../logging/redact.js';
import type { PrimitiveEvent } from './primitive-event.js';

export type { CircuitRejectEvent, PrimitiveEvent, PrimitiveEventMap, PrimitiveEventType } from './primitive-event.js';

/** What an {@link Instrumentation} learns about one execution of a primitive. */
export interface ExecutionInfo {
  /** The primitive's `name` (defaults to its kind). */
  readonly name: string;
  /** The primitive's kind: `'sequential'`, `'retry'`, `'step'`, ... */
  readonly kind: string;
  /** The context the primitive's own steps run on (its `idempotencyKey` is this execution's). */
  readonly context: WorkflowContext;
  readonly input: unknown;
  /**
   * The step path of this execution, as durable runs key their journal: names from the root
   * joined with `/`, `~2` for siblings sharing a name, `#2` for a repeat (see docs/durable.md).
   * Matches the nodes of `describe()`, and is the same in every process.
   */
  readonly path: string;
}

/** How an execution ended. */
export interface ExecutionResult {
  readonly status: 'success' | 'failure';
  readonly durationMs: number;
  readonly error?: unknown;
}

/**
 * The seam observability plugs into. Every member is optional. `around` wraps the run of a step,
 * which is what OpenTelemetry needs to make a span current while the step runs.
 */
export interface Instrumentation {
  /** Wraps one execution; must call `run` exactly once and return (or await) its promise. */
  around?<T>(execution: ExecutionInfo, run: () => Promise<T>): Promise<T>;
  /** Called when an execution starts, before `around`. */
  onStart?(execution: ExecutionInfo): void;
  /** Called when an execution ends. */
  onEnd?(execution: ExecutionInfo, result: ExecutionResult): void;
  /** Called for retry attempts, cache hits, breaker transitions and the other events. */
  onEvent?(event: PrimitiveEvent, execution: { readonly name: string; readonly kind: string; readonly context: WorkflowContext | undefined }): void;
  /**
   * Asked once per run, as its first primitive starts (`root`, on `context`, which is in no other
   * instrumented execution): return `false` to hear nothing of this run, neither its executions
   * nor its events. Without this member every run is observed. When every registered
   * instrumentation declines a run, the run costs what it costs with none registered (the built-in
   * metrics still count it): a sampler that keeps one run in a hundred makes the other 99 free.
   * A throw counts as `true` (and is reported like any listener's).
   *
   * @example
   * ```ts
   * let runs = 0;
   * const sampled = registerInstrumentation({
   *   observeRun: () => runs++ % 100 === 0,
   *   onEnd: (execution, result) => console.log(execution.path, result.status),
   * });
   * sampled.dispose();
   * ```
   */
  observeRun?(root: { readonly name: string; readonly kind: string }, context: WorkflowContext): boolean;
}

/**
 * @internal Registered instrumentations; an empty array when none, checked on every execute.
 * Kept on a `Symbol.for` global so that an app with two installed copies of this package (a
 * sibling package resolving its own) has one registry: an instrumentation registered through
 * either copy sees the executions of both.
 */
export const instrumentations: { list: readonly Instrumentation[] } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('@tta/primitives.instrumentations')
] ??= { list: [] }) as { list: readonly Instrumentation[] };

/**
 * Registers an instrumentation for every primitive of the process. The returned disposer removes it.
 *
 * @example
 * ```ts
 * const registration = registerInstrumentation({ onEnd: (execution, result) => console.log(execution.name, result.status) });
 * registration.dispose();
 * ```
 */
export function registerInstrumentation(instrumentation: Instrumentation): Disposable {
  instrumentations.list = [...instrumentations.list, instrumentation];
  return toDisposable(() => {
    instrumentations.list = instrumentations.list.filter((candidate) => candidate !== instrumentation);
  });
}

/**
 * @internal The instrumentations that hear of executions on `context`: the ones that accepted its
 * run when some declined it (see {@link Instrumentation.observeRun}), none for a run every one
 * declined, and otherwise every one registered (so one registered during a run hears the rest).
 */
export function observersOf(context: WorkflowContext | undefined): readonly Instrumentation[] {
  const list = instrumentations.list;
  if (list.length === 0) return list;
  const frame = context?._frame;
  const declined = frame?._declined;
  if (declined === undefined) return list;
  if (declined === declinedByAll) return declinedByAll;
  // The registered ones less those that declined, computed again once the registry changed: one
  // disposed during the run stops hearing it, one registered during it hears the rest.
  if (frame!._observersOf === list) return frame!._observers;
  const observers = list.filter((instrumentation) => !declined.includes(instrumentation));
  frame!._observersOf = list;
  frame!._observers = observers;
  return observers;
}

/** @internal What a run every instrumentation declined has declined, for good (see `StepFrame.unobserved`). */
export const declinedByAll: readonly Instrumentation[] = Object.freeze([]);

/**
 * Events that change state every run shares (a circuit opening or closing): every registered
 * instrumentation hears them, also from a run it declined.
 */
const sharedStateEvents: ReadonlySet<string> = new Set(['circuit-break', 'circuit-half-open', 'circuit-reset']);

/** True for a {@link sharedStateEvents} event; false for one whose type cannot be read (it is dropped later). */
function isSharedStateEvent(event: PrimitiveEvent): boolean {
  try {
    return sharedStateEvents.has(event.type);
  } catch {
    return false;
  }
}

/**
 * @internal Asks each of `list` whether it observes the run `root` starts on `context`: the ones
 * that decline, {@link declinedByAll} when every one does, or undefined when none does (nothing
 * allocated when none has `observeRun`).
 */
export function runDeclined(list: readonly Instrumentation[], root: { readonly name: string; readonly kind: string }, context: WorkflowContext): readonly Instrumentation[] | undefined {
  let declined: Instrumentation[] | undefined;
  for (let index = 0; index < list.length; index++) {
    const instrumentation = list[index]!;
    if (instrumentation.observeRun === undefined) continue;
    let observes = true;
    try {
      observes = instrumentation.observeRun(root, context) !== false;
    } catch (error) {
      reportListenerError(error);
    }
    if (!observes) (declined ??= []).push(instrumentation);
  }
  return declined !== undefined && declined.length === list.length ? declinedByAll : declined;
}

/** Instrumentations currently registered, in registration order. */
export function getInstrumentations(): readonly Instrumentation[] {
  return instrumentations.list;
}

/**
 * Text fields of an event can quote user data (a cache key is made from the input): instrumentations
 * forward events to spans, logs and pages, so credentials in them are redacted here, once, for all.
 * Objects (the error, the context) are passed as they are.
 */
function withRedactedText(event: PrimitiveEvent): PrimitiveEvent | undefined {
  try {
    let copy: Record<string, unknown> | undefined;
    for (const field of Object.keys(event)) {
      // Read as a record: a custom primitive's event may carry text fields no member declares.
      const value = (event as unknown as Readonly<Record<string, unknown>>)[field];
      if (typeof value !== 'string' || field === 'type') continue;
      const redacted = redactText(value);
      if (redacted !== value) (copy ??= { ...event })[field] = redacted;
    }
    return (copy as PrimitiveEvent | undefined) ?? event;
  } catch (error) {
    // An event that cannot be read (a revoked proxy, a throwing getter from a custom primitive) is
    // reported and dropped: emitting must never throw into the primitive, nor pass unread text on.
    reportListenerError(error);
    return undefined;
  }
}

/**
 * Reports `event` to every registered instrumentation, with credentials in its text fields redacted.
 * Costs one length check when none is registered. Primitives call it; custom primitives may too.
 */
export function emitPrimitiveEvent(
  event: PrimitiveEvent,
  primitive: { readonly name: string; readonly kind: string },
  context: WorkflowContext | undefined,
): void {
  if (instrumentations.list.length === 0) return;
  const list = isSharedStateEvent(event) ? instrumentations.list : observersOf(context);
  if (list.length === 0) return;
  const source = { name: primitive.name, kind: primitive.kind, context };
  const safeEvent = withRedactedText(event);
  if (safeEvent === undefined) return;
  for (const instrumentation of list) {
    if (instrumentation.onEvent === undefined) continue;
    try {
      instrumentation.onEvent(safeEvent, source);
    } catch (error) {
      reportListenerError(error);
    }
  }
}
