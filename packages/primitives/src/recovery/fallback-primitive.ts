import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { requireFunction } from '../core/options.js';
import { requirePrimitive, requirePrimitives } from '../core/require-primitive.js';
import { FallbackExhaustedError } from '../errors/fallback-exhausted-error.js';
import { BudgetExceededError } from '../errors/budget-exceeded-error.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { emitPrimitiveEvent } from '../observability/instrumentation.js';
import { type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Decides whether a failure moves on to the next alternative; may be async. */
export type FallbackPredicate = (error: unknown, context: WorkflowContext) => boolean | PromiseLike<boolean>;

/** Options of {@link FallbackPrimitive}. */
export interface FallbackOptions<TInput, TOutput> extends PrimitiveOptions {
  /** Alternatives tried in order, each on the same input, after the primary fails. */
  readonly fallbacks: readonly WorkflowPrimitive<TInput, TOutput>[];
  /**
   * Which failures move on to the next alternative; for the others the error is rethrown as it is.
   * The caller's abort never falls back. A `BudgetExceededError` falls back only when this
   * predicate says so: to answer from a cheaper model once a budget is spent, put the fallback
   * outside the budget and accept the error explicitly:
   * `fallback(budget(premium, { maxCostUsd: 0.05 }), [freeLocalModel], { fallbackOn: BudgetExceededError.isInstance })`.
   * @default every error except `BudgetExceededError`
   */
  readonly fallbackOn?: FallbackPredicate;
}

/** Reported each time an alternative is tried after a failure. */
export interface FallbackEvent {
  /** The failure that made the primitive move on. */
  readonly error: unknown;
  /** Index in `fallbacks` of the alternative about to run. */
  readonly index: number;
  /** Name of the alternative about to run. */
  readonly fallback: string;
  readonly context: WorkflowContext;
}

const kind = 'FallbackPrimitive';

/**
 * Runs the primary and, when it fails, each fallback in order until one succeeds. When all fail it
 * rejects with {@link FallbackExhaustedError}, whose `errors` keep every failure in order. A failure
 * that `fallbackOn` rejects is rethrown unwrapped; after the caller's abort the rejection is the
 * abort reason and no further alternative runs.
 *
 * @example
 * ```ts
 * const answer = new FallbackPrimitive(gpt4, { fallbacks: [gpt35, localModel], fallbackOn: (error) => !isAuthError(error) });
 * ```
 */
export class FallbackPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly primary: WorkflowPrimitive<TInput, TOutput>;
  readonly fallbacks: readonly WorkflowPrimitive<TInput, TOutput>[];
  private readonly fallbackOn: FallbackPredicate | undefined;
  private readonly fallbackEmitter = new EventEmitter<FallbackEvent>();
  /** Fires before each fallback runs. */
  readonly onFallback: Event<FallbackEvent> = this.fallbackEmitter.event;

  constructor(primary: WorkflowPrimitive<TInput, TOutput>, options: FallbackOptions<TInput, TOutput>) {
    super('fallback', withWrapperName('fallback', primary, options));
    requirePrimitive(kind, 'primary', primary);
    const fallbacks: unknown = (options as Partial<FallbackOptions<TInput, TOutput>> | undefined)?.fallbacks;
    requirePrimitives(kind, 'fallbacks', fallbacks);
    requireFunction(kind, 'fallbackOn', options.fallbackOn, { optional: true, signature: '(error, context) => boolean' });
    this.primary = primary;
    this.fallbacks = [...(fallbacks as readonly WorkflowPrimitive<TInput, TOutput>[])];
    this.fallbackOn = options.fallbackOn;
  }

  override _children(): readonly PrimitiveChild[] {
    return [{ label: 'primary', primitive: this.primary }, ...this.fallbacks.map((primitive, index) => ({ label: `fallback ${index + 1}`, primitive }))];
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { fallbackOn: this.fallbackOn };
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    try {
      return await this.primary.execute(context, input);
    } catch (error) {
      return this.runFallbacks(context, input, error);
    }
  }

  private async runFallbacks(context: WorkflowContext, input: TInput, firstError: unknown): Promise<TOutput> {
    const errors: unknown[] = [];
    let error = firstError;
    for (let index = 0; ; index++) {
      if (context.aborted) throw context.abortReason;
      if (this.fallbackOn !== undefined) {
        let decision = this.fallbackOn(error, context);
        if (typeof decision !== 'boolean') decision = await decision;
        if (context.aborted) throw context.abortReason;
        if (decision !== true) throw error;
      } else if (BudgetExceededError.isInstance(error)) {
        // An alternative inside the same budget could only fail the same way, after hiding why.
        throw error;
      }
      errors.push(error);
      const next = this.fallbacks[index];
      if (next === undefined) throw new FallbackExhaustedError(errors);
      if (this.fallbackEmitter.hasListeners) this.fallbackEmitter.emit({ error, index, fallback: next.name, context });
      emitPrimitiveEvent({ type: 'fallback', index, fallback: next.name, error }, this, context);
      try {
        return await next.execute(context, input);
      } catch (nextError) {
        error = nextError;
      }
    }
  }
}

/**
 * Wraps `primary` in a {@link FallbackPrimitive} that tries `fallbacks` in order after it fails.
 * The alternatives are the second argument; `fallbackOn`, `name` and the other options the third.
 *
 * @example
 * ```ts
 * const answer = fallback(gpt4, [gpt35, localModel]);
 * const picky = fallback(gpt4, [gpt35], { fallbackOn: (error) => !isAuthError(error) });
 * ```
 */
export function fallback<TInput, TOutput>(
  primary: WorkflowPrimitive<TInput, TOutput>,
  fallbacks: readonly WorkflowPrimitive<TInput, TOutput>[],
  options?: Omit<FallbackOptions<TInput, TOutput>, 'fallbacks'>,
): FallbackPrimitive<TInput, TOutput> {
  // The options object once stood in the second place; say where it goes now instead of a vaguer error.
  if (!Array.isArray(fallbacks)) {
    throw new InvalidOptionsError(
      'fallback',
      'fallbacks',
      `must be an array of primitives as the second argument, fallback(primary, [alternatives], options?); got ${describeValue(fallbacks)}`,
    );
  }
  if (options !== undefined && options !== null && typeof options === 'object' && 'fallbacks' in options) {
    throw new InvalidOptionsError('fallback', 'fallbacks', 'goes in the second argument, fallback(primary, [alternatives], options?), not in the options');
  }
  return new FallbackPrimitive(primary, { ...options, fallbacks });
}
