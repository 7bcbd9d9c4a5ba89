import { InvalidInputError } from '../errors/invalid-input-error.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { FilterRejectedError } from '../errors/filter-rejected-error.js';
import { requireFunction, requireInteger, requireOneOf } from '../core/options.js';
import { describeValue } from '../core/describe-value.js';
import { CooperativeBudget, yieldToMacrotask } from '../core/cooperative-yield.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Decides whether an item is kept; may be async. Gets the item, the context and the item's index. */
export type FilterPredicate<TItem> = (item: TItem, context: WorkflowContext, index: number) => boolean | PromiseLike<boolean>;

/** Options of {@link FilterPrimitive}. */
export interface FilterOptions extends PrimitiveOptions {
  /**
   * What a rejected item does: `'skip'` leaves it out of the output; `'throw'` fails the call with
   * `FilterRejectedError` naming the first rejected item (by index), so the filter acts as a guard.
   * @default 'skip'
   */
  readonly onReject?: 'skip' | 'throw';
  /**
   * Most predicates running at once (for async predicates such as a moderation call).
   * @default 1
   */
  readonly concurrency?: number;
}

/**
 * Filters an array: resolves with the items for which the predicate holds, in their original
 * order. The predicate may be async and gets `(item, context, index)`; with `concurrency` above 1,
 * several predicates run at once. A type-guard predicate narrows the output type.
 *
 * With `onReject: 'throw'` the call rejects with `FilterRejectedError` at the first rejected item
 * (lowest index), and no predicate starts after that. A predicate that throws fails the call with
 * its error. The call stops between predicates once the context is aborted; synchronous
 * predicates over a long array let the event loop run every few milliseconds, so a deadline or a
 * timeout can stop them.
 *
 * @example
 * <!-- snippet-prelude: declare const moderation: { flagged(text: string, signal: AbortSignal): Promise<boolean> }; declare const documents: readonly Doc[]; -->
 * ```ts
 * const safe = new FilterPrimitive(async (doc: Doc, context) => !(await moderation.flagged(doc.text, context.signal)), { concurrency: 4 });
 * const kept = await safe.execute(context, documents);
 * ```
 */
export class FilterPrimitive<TItem, TKept extends TItem = TItem> extends WorkflowPrimitive<readonly TItem[], TKept[]> {
  readonly onReject: 'skip' | 'throw';
  readonly concurrency: number;
  private readonly predicate: FilterPredicate<TItem>;

  constructor(predicate: ((item: TItem, context: WorkflowContext, index: number) => item is TKept) | FilterPredicate<TItem>, options: FilterOptions = {}) {
    super('filter', options);
    requireFunction('FilterPrimitive', 'predicate', predicate, { signature: '(item, context, index) => boolean' });
    const onReject = options.onReject ?? 'skip';
    requireOneOf('FilterPrimitive', 'onReject', onReject, ['skip', 'throw']);
    const concurrency = options.concurrency ?? 1;
    requireInteger('FilterPrimitive', 'concurrency', concurrency, { min: 1 });
    this.predicate = predicate;
    this.onReject = onReject;
    this.concurrency = concurrency;
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { predicate: this.predicate, onReject: this.onReject, concurrency: this.concurrency };
  }

  protected executeImpl(context: WorkflowContext, items: readonly TItem[]): Promise<TKept[]> {
    if (!Array.isArray(items)) return Promise.reject(new InvalidInputError(`filter "${this.name}"`, `the input must be an array (got ${describeValue(items)})`));
    return this.concurrency === 1 ? this.runSequential(context, items) : this.runConcurrent(context, items);
  }

  private async runSequential(context: WorkflowContext, items: readonly TItem[]): Promise<TKept[]> {
    const kept: TKept[] = [];
    const predicate = this.predicate;
    const budget = new CooperativeBudget();
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      let verdict = predicate(item, context, index);
      if (typeof verdict !== 'boolean') verdict = await verdict;
      if (verdict) kept.push(item as TKept);
      else if (this.onReject === 'throw') throw new FilterRejectedError(this.name, index, item);
      // Without a break, no timer (deadline, timeout) can fire while synchronous predicates run.
      if (budget.due()) await yieldToMacrotask();
      context.throwIfAborted();
    }
    return kept;
  }

  private async runConcurrent(context: WorkflowContext, items: readonly TItem[]): Promise<TKept[]> {
    const verdicts = new Array<boolean>(items.length);
    let next = 0;
    let stopped = false;
    let failure: { readonly error: unknown } | undefined;
    const budget = new CooperativeBudget();
    const worker = async (): Promise<void> => {
      while (next < items.length && !stopped) {
        if (budget.due()) await yieldToMacrotask();
        if (context.aborted) {
          stopped = true;
          failure ??= { error: context.abortReason };
          return;
        }
        const index = next++;
        try {
          const verdict = Boolean(await this.predicate(items[index]!, context, index));
          verdicts[index] = verdict;
          if (!verdict && this.onReject === 'throw') stopped = true;
        } catch (error) {
          stopped = true;
          failure ??= { error };
        }
      }
    };
    // Every worker is awaited, so no predicate is still running when the call settles.
    const workers: Promise<void>[] = [];
    for (let count = 0; count < Math.min(this.concurrency, items.length); count++) workers.push(worker());
    await Promise.all(workers);
    if (failure !== undefined) throw failure.error;
    const kept: TKept[] = [];
    for (let index = 0; index < items.length; index++) {
      const verdict = verdicts[index];
      if (verdict === true) kept.push(items[index] as TKept);
      else if (verdict === false && this.onReject === 'throw') throw new FilterRejectedError(this.name, index, items[index]);
    }
    return kept;
  }
}

/**
 * Filters an array with a (possibly async) predicate: the factory form of {@link FilterPrimitive}.
 *
 * @example
 * ```ts
 * const nonEmpty = filter((line: string) => line.trim() !== '');
 * const guard = filter((doc: Doc) => doc.lang === 'en', { onReject: 'throw' });
 * ```
 */
export function filter<TItem, TKept extends TItem>(predicate: (item: TItem, context: WorkflowContext, index: number) => item is TKept, options?: FilterOptions): FilterPrimitive<TItem, TKept>;
export function filter<TItem>(predicate: FilterPredicate<TItem>, options?: FilterOptions): FilterPrimitive<TItem>;
export function filter<TItem>(predicate: FilterPredicate<TItem>, options: FilterOptions = {}): FilterPrimitive<TItem> {
  return new FilterPrimitive(predicate, options);
}
