import { LazyAbort } from '../core/abort.js';
import { WorkflowContext } from '../core/workflow-context.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import { requireInteger, requireNumber, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { BudgetScope, type BudgetLimits } from './budget-scope.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';

/** Options of {@link BudgetPrimitive}: the limits (each optional, `Infinity` for none) and the usual `name`. */
export interface BudgetOptions extends BudgetLimits, PrimitiveOptions {}

const kind = 'BudgetPrimitive';
const noOverrides = Object.freeze({});
const knownOptions = ['maxCostUsd', 'maxTokens', 'maxCalls', 'name', 'instrument'] as const;

/**
 * Runs `inner` under spending limits. Each execution counts what is reported inside it (with
 * `context.reportUsage`, which every model step calls): a step that asks `context.checkBudget()`
 * once a limit is reached gets `BudgetExceededError`, and the report that goes past a limit aborts
 * the other in-flight work inside the budget (parallel branches, a hanging request) with that
 * error as the reason. Retries and fallbacks inside count against the same budget; nested budgets
 * each hold. Put it outside `retry`: a budget inside a retry starts afresh on every attempt.
 *
 * @example
 * ```ts
 * const answer = step('answer', async (question: string, context) => {
 *   context.checkBudget();
 *   context.reportUsage({ model: 'small', inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
 *   return question;
 * });
 * const capped = new BudgetPrimitive(answer, { maxCostUsd: 0.05, maxCalls: 10 });
 * ```
 */
export class BudgetPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  /** The limits, as given. */
  readonly limits: BudgetLimits;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: BudgetOptions) {
    super('budget', withWrapperName('budget', inner, options));
    requirePrimitive(kind, 'inner', inner);
    requireOptionsObject(kind, options, { known: knownOptions });
    requireNumber(kind, 'maxCostUsd', options.maxCostUsd === Infinity ? undefined : options.maxCostUsd, { optional: true });
    requireInteger(kind, 'maxTokens', options.maxTokens, { optional: true, infinity: true });
    requireInteger(kind, 'maxCalls', options.maxCalls, { optional: true, infinity: true });
    this.inner = inner;
    const { maxCostUsd, maxTokens, maxCalls } = options;
    // Infinity limits nothing: dropped, so a check never compares against it.
    this.limits = Object.freeze({
      ...(maxCostUsd === undefined || maxCostUsd === Infinity ? {} : { maxCostUsd }),
      ...(maxTokens === undefined || maxTokens === Infinity ? {} : { maxTokens }),
      ...(maxCalls === undefined || maxCalls === Infinity ? {} : { maxCalls }),
    });
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { ...this.limits };
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    // Owned and released here, so the link to the caller's signal never outlives the execution.
    const scope = new LazyAbort(context._abort, undefined, true);
    const inner = WorkflowContext.derive(context, noOverrides, scope);
    inner._budget = new BudgetScope(this.name, this.limits, context._budget, scope);
    try {
      return await this.inner.execute(inner, input);
    } finally {
      scope.release();
    }
  }
}

/**
 * Wraps `inner` in a {@link BudgetPrimitive}: at most `maxCostUsd` dollars, `maxTokens` tokens and
 * `maxCalls` model calls per execution.
 *
 * @example
 * ```ts
 * const call = step('call', async (prompt: string, context) => {
 *   context.checkBudget();
 *   return prompt;
 * });
 * const capped = budget(retry(call), { maxCostUsd: 0.05 });
 * ```
 */
export function budget<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: BudgetOptions): BudgetPrimitive<TInput, TOutput> {
  return new BudgetPrimitive(inner, options);
}
