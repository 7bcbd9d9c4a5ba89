import type { LazyAbort } from '../core/abort.js';
import { BudgetExceededError, type BudgetLimitName } from '../errors/budget-exceeded-error.js';
import type { Logger } from '../logging/logger.js';
import { UsageCounter, type UsageReport } from './usage-ledger.js';

/** Limits of a budget; each is optional and `Infinity` means none. */
export interface BudgetLimits {
  /** Dollars that may be spent inside the budget (the sum of the reports' `costUsd`). */
  readonly maxCostUsd?: number;
  /** Tokens (input plus output) that may be spent inside the budget. */
  readonly maxTokens?: number;
  /** Model calls (usage reports) that may be made inside the budget. */
  readonly maxCalls?: number;
}

/**
 * @internal One execution of a budget: what was spent inside it, its limits, the scope that
 * aborts its in-flight work, and the enclosing budget (nested budgets each hold).
 */
export class BudgetScope {
  readonly spent = new UsageCounter();
  private exceeded: BudgetExceededError | undefined;
  private readonly unpriced = new Set<string>();

  constructor(
    readonly name: string,
    readonly limits: BudgetLimits,
    readonly parent: BudgetScope | undefined,
    private readonly abort: LazyAbort,
  ) {}

  /**
   * Counts a report; a report that takes the spending past a limit aborts the budget's work. A
   * report without a cost under `maxCostUsd` is warned of, once per model: an unpriced model would
   * otherwise spend past the cost limit silently.
   */
  charge(report: UsageReport, logger: Logger): void {
    this.spent.add(report);
    if (report.costUsd === undefined && this.limits.maxCostUsd !== undefined && !this.unpriced.has(report.model)) {
      this.unpriced.add(report.model);
      logger.warn({ budget: this.name, model: report.model }, 'a model call reported no cost: it is not counted against this budget\'s maxCostUsd (give the model a price)');
    }
    if (this.exceeded !== undefined) return;
    const over = this.firstLimit((spent, maximum) => spent > maximum);
    if (over === undefined) return;
    this.exceeded = over;
    this.abort.abort(over);
  }

  /** Throws when a limit is reached: no further spending may start. */
  check(): void {
    if (this.exceeded !== undefined) throw this.exceeded;
    const reached = this.firstLimit((spent, maximum) => spent >= maximum);
    if (reached !== undefined) throw reached;
  }

  private firstLimit(test: (spent: number, maximum: number) => boolean): BudgetExceededError | undefined {
    const { maxCostUsd, maxTokens, maxCalls } = this.limits;
    const spent = this.spent;
    if (maxCalls !== undefined && test(spent.calls, maxCalls)) return this.error('maxCalls', maxCalls, spent.calls);
    if (maxTokens !== undefined && test(spent.tokens, maxTokens)) return this.error('maxTokens', maxTokens, spent.tokens);
    // Rounded to a nano-dollar: five reports of $0.01 make $0.05, not 0.05000000000000001.
    const costUsd = Math.round(spent.costUsd * 1e9) / 1e9;
    if (maxCostUsd !== undefined && test(costUsd, maxCostUsd)) return this.error('maxCostUsd', maxCostUsd, costUsd);
    return undefined;
  }

  private error(limit: BudgetLimitName, maximum: number, spent: number): BudgetExceededError {
    return new BudgetExceededError(this.name, limit, maximum, spent);
  }
}
