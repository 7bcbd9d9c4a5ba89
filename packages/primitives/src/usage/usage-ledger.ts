import { InvalidInputError } from '../errors/invalid-input-error.js';

/** What one model call spent, as given to `context.reportUsage`. */
export interface UsageReport {
  /** The model that answered; usage is also counted per model. */
  readonly model: string;
  /** Tokens of the prompt. */
  readonly inputTokens: number;
  /** Tokens of the answer. */
  readonly outputTokens: number;
  /** Cost of the call in US dollars, when known. @default 0 */
  readonly costUsd?: number;
  /** True when the token counts are an estimate (a cancelled stream that reported none). @default false */
  readonly estimated?: boolean;
  /** Who served the call (`openai-compatible`, `simulated`...), for spans' `gen_ai.provider.name`. */
  readonly provider?: string;
}

/** Totals of a run (or of one model in it): calls, tokens and cost. */
export interface UsageAmounts {
  /** Number of usage reports (one per model call). */
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Dollars, summed from the reports that gave a cost. */
  readonly costUsd: number;
}

/** What `context.usage` returns: the run's totals and the same per model. */
export interface UsageSnapshot extends UsageAmounts {
  /** Totals per model name. */
  readonly byModel: Readonly<Record<string, UsageAmounts>>;
}

/** Mutable totals; one per run (and one per budget execution). */
export class UsageCounter implements UsageAmounts {
  calls = 0;
  inputTokens = 0;
  outputTokens = 0;
  costUsd = 0;

  add(report: UsageReport): void {
    this.calls += 1;
    this.inputTokens += report.inputTokens;
    this.outputTokens += report.outputTokens;
    this.costUsd += report.costUsd ?? 0;
  }

  /** Tokens of both kinds, the quantity `maxTokens` limits. */
  get tokens(): number {
    return this.inputTokens + this.outputTokens;
  }

  snapshot(): UsageAmounts {
    return { calls: this.calls, inputTokens: this.inputTokens, outputTokens: this.outputTokens, costUsd: this.costUsd };
  }
}

/** The usage of one run: its totals and a counter per model. */
export class UsageLedger {
  readonly total = new UsageCounter();
  // A Map, not an object: a model named `__proto__` or `constructor` is just another key.
  private readonly models = new Map<string, UsageCounter>();

  add(report: UsageReport): void {
    this.total.add(report);
    let counter = this.models.get(report.model);
    if (counter === undefined) {
      counter = new UsageCounter();
      this.models.set(report.model, counter);
    }
    counter.add(report);
  }

  snapshot(): UsageSnapshot {
    const byModel: Record<string, UsageAmounts> = {};
    for (const [model, counter] of this.models) Object.defineProperty(byModel, model, { value: counter.snapshot(), enumerable: true });
    return { ...this.total.snapshot(), byModel };
  }
}

/** The usage of a run that reported none. */
export const emptyUsage: UsageSnapshot = Object.freeze({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, byModel: Object.freeze({}) });

const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * Refuses a report that would corrupt the totals (a negative, NaN or infinite amount, a missing
 * model) with `InvalidInputError` naming the field: a budget fed NaN would never be reached.
 */
export function assertUsageReport(report: unknown): asserts report is UsageReport {
  const fail = (problem: string): never => {
    throw new InvalidInputError('reportUsage', problem);
  };
  if (typeof report !== 'object' || report === null) fail('the report must be an object { model, inputTokens, outputTokens, costUsd? }');
  const { model, inputTokens, outputTokens, costUsd, estimated, provider } = report as Record<string, unknown>;
  if (typeof model !== 'string' || model.length === 0) fail('"model" must be a non-empty string');
  if (!isAmount(inputTokens)) fail('"inputTokens" must be a finite number >= 0');
  if (!isAmount(outputTokens)) fail('"outputTokens" must be a finite number >= 0');
  if (costUsd !== undefined && !isAmount(costUsd)) fail('"costUsd" must be a finite number >= 0');
  if (estimated !== undefined && typeof estimated !== 'boolean') fail('"estimated" must be a boolean');
  if (provider !== undefined && typeof provider !== 'string') fail('"provider" must be a string');
}
