import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.BudgetExceededError');

/** Which limit of a budget was reached. */
export type BudgetLimitName = 'maxCostUsd' | 'maxTokens' | 'maxCalls';

/**
 * A budget's limit is reached: `context.checkBudget()` refuses to start more spending, and the
 * report that went past the limit aborted the other in-flight work inside the budget with this
 * error as the reason. Not retryable (trying again spends more of the same budget), so `retry`
 * gives up on it and `fallback` rethrows it unless its `fallbackOn` says otherwise.
 *
 * @example
 * ```ts
 * try {
 *   await budget(answer, { maxCostUsd: 0.05 }).run('question');
 * } catch (error) {
 *   if (BudgetExceededError.isInstance(error)) console.log(`${error.limit} reached: ${error.spent} of ${error.maximum}`);
 * }
 * ```
 */
export class BudgetExceededError extends TtaError<'BUDGET_EXCEEDED'> {
  private readonly [marker] = true;
  /** Spending more of the same budget cannot succeed. */
  override readonly retryable: boolean = false;
  /** Name of the budget primitive whose limit was reached. */
  readonly budget: string;
  /** The limit that was reached. */
  readonly limit: BudgetLimitName;
  /** The limit's value. */
  readonly maximum: number;
  /** What the budget had spent of that limit when the error was made. */
  readonly spent: number;

  constructor(budget = 'budget', limit: BudgetLimitName = 'maxCostUsd', maximum = 0, spent = 0, options: TtaErrorOptions = {}) {
    super(`Budget "${budget}" reached its ${limit} of ${maximum} (spent ${spent})`, 'BUDGET_EXCEEDED', options);
    this.budget = budget;
    this.limit = limit;
    this.maximum = maximum;
    this.spent = spent;
  }

  /** True when `error` is a BudgetExceededError, from any copy of the package. */
  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasMarker(error, marker);
  }
}
