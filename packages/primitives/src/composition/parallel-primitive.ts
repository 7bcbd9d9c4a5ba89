import { WorkflowPrimitive, type AnyPrimitive, type InputOf, type OutputOf, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { WorkflowContext } from '../core/workflow-context.js';
import { LazyAbort } from '../core/abort.js';
import { requireInteger, requireOneOf } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { instrumentations } from '../observability/instrumentation.js';
import { metrics } from '../observability/primitive-metrics.js';

/** How a parallel run treats a failing branch. */
export type ParallelMode = 'fail-fast' | 'settle';

/** Branches of a parallel run: a tuple (result is a tuple) or a record (result is a record). */
export type ParallelBranches = readonly AnyPrimitive[] | { readonly [key: string]: AnyPrimitive };

/** Options of {@link ParallelPrimitive}. */
export interface ParallelOptions<TMode extends ParallelMode = ParallelMode> extends PrimitiveOptions {
  /**
   * Most branches running at once; the others wait for a free slot, in order.
   * @default Infinity
   */
  readonly concurrency?: number;
  /**
   * `'fail-fast'` rejects with the first error and aborts the other branches through their signals;
   * `'settle'` runs every branch and resolves with each outcome (`PromiseSettledResult`).
   * @default 'fail-fast'
   */
  readonly mode?: TMode;
}

type UnionToIntersection<TUnion> = (TUnion extends unknown ? (value: TUnion) => void : never) extends (value: infer TIntersection) => void
  ? TIntersection
  : never;

/** The input every branch accepts. */
export type ParallelInput<TBranches extends ParallelBranches> = TBranches extends readonly AnyPrimitive[]
  ? UnionToIntersection<InputOf<TBranches[number]>>
  : UnionToIntersection<InputOf<TBranches[keyof TBranches]>>;

type Outcome<TValue, TMode extends ParallelMode> = TMode extends 'settle' ? PromiseSettledResult<TValue> : TValue;

/** The result: each branch's output (or outcome, in settle mode) in the branches' shape. */
export type ParallelOutput<TBranches extends ParallelBranches, TMode extends ParallelMode = 'fail-fast'> = TBranches extends readonly AnyPrimitive[]
  ? { -readonly [K in keyof TBranches]: Outcome<OutputOf<TBranches[K]>, TMode> }
  : { -readonly [K in keyof TBranches]: Outcome<OutputOf<TBranches[K]>, TMode> };

/**
 * Runs branches on the same input at the same time: the `|` of the Python original. Results keep
 * the branches' order (tuple) or keys (record). With `concurrency`, at most that many run at once.
 *
 * @example
 * const both = new ParallelPrimitive({ summary: summarise, sentiment: classify }, { concurrency: 2 });
 * const { summary, sentiment } = await both.execute(context, text);
 */
export class ParallelPrimitive<const TBranches extends ParallelBranches, TMode extends ParallelMode = 'fail-fast'> extends WorkflowPrimitive<
  ParallelInput<TBranches>,
  ParallelOutput<TBranches, TMode>
> {
  readonly branches: TBranches;
  readonly concurrency: number;
  readonly mode: ParallelMode;
  private readonly list: readonly AnyPrimitive[];
  private readonly keys: readonly string[] | undefined;

  constructor(branches: TBranches, options: ParallelOptions<TMode> = {}) {
    super('parallel', options);
    if (Array.isArray(branches) && Object.getPrototypeOf(branches) !== Array.prototype) {
      throw new InvalidOptionsError('ParallelPrimitive', 'branches', 'must be a plain array or record of primitives');
    }
    if (typeof branches !== 'object' || branches === null) {
      throw new InvalidOptionsError('ParallelPrimitive', 'branches', 'must be an array or a record of primitives');
    }
    this.keys = Array.isArray(branches) ? undefined : Object.keys(branches);
    this.list = Array.isArray(branches) ? [...(branches as readonly AnyPrimitive[])] : Object.values(branches);
    this.list.forEach((branch, index) => requirePrimitive('ParallelPrimitive', `branches[${this.keys?.[index] ?? index}]`, branch));
    const concurrency = options.concurrency ?? Infinity;
    requireInteger('ParallelPrimitive', 'concurrency', concurrency, { min: 1, infinity: true });
    const mode = options.mode ?? 'fail-fast';
    requireOneOf('ParallelPrimitive', 'mode', mode, ['fail-fast', 'settle']);
    this.branches = branches;
    this.concurrency = concurrency;
    this.mode = mode;
  }

  protected executeImpl(context: WorkflowContext, input: ParallelInput<TBranches>): Promise<ParallelOutput<TBranches, TMode>> {
    const results = this.mode === 'settle' ? this.runSettled(context, input) : this.runFailFast(context, input);
    const keys = this.keys;
    if (keys === undefined) return results as Promise<ParallelOutput<TBranches, TMode>>;
    return results.then((values) => {
      const record: Record<string, unknown> = {};
      for (let index = 0; index < keys.length; index++) record[keys[index]!] = values[index];
      return record as ParallelOutput<TBranches, TMode>;
    });
  }

  private runFailFast(context: WorkflowContext, input: unknown): Promise<unknown[]> {
    const list = this.list;
    const count = list.length;
    if (count === 0) return Promise.resolve([]);
    // Released or aborted on every way out below, so its link to the caller can be strong.
    const scope = new LazyAbort(context._abort, undefined, true);
    const branchContext = WorkflowContext.derive(context, {}, scope);
    const timed = metrics.enabled && instrumentations.list.length === 0;
    if (!timed && this.concurrency >= count) {
      // Every branch starts at once and none is timed here: Promise.all already fails fast.
      const promises = new Array<Promise<unknown>>(count);
      for (let index = 0; index < count; index++) promises[index] = list[index]!.execute(branchContext, input);
      return Promise.all(promises).then(
        (values) => {
          scope.release();
          // Branches that ignored their signal may all resolve after the caller's abort: the
          // caller asked to stop, so the run rejects with the abort reason, as `settle` mode does.
          if (context.aborted) throw context.abortReason;
          return values;
        },
        (error: unknown) => {
          scope.abort(error);
          throw error;
        },
      );
    }
    const start = timed ? metrics._now() : 0;
    const now = metrics._completionNow;
    const limit = Math.min(this.concurrency, count);
    return new Promise<unknown[]>((resolve, reject) => {
      const values = new Array<unknown>(count);
      let remaining = count;
      let next = 0;
      let failed = false;
      const launch = (index: number): void => {
        const branch = list[index]!;
        const promise = timed ? branch._executeUntimed(branchContext, input) : branch.execute(branchContext, input);
        promise.then(
          (value) => {
            if (timed) branch._recordExecution(true, now() - start);
            values[index] = value;
            if (--remaining === 0) {
              scope.release();
              if (context.aborted) reject(context.abortReason);
              else resolve(values);
            } else if (next < count && !failed) launch(next++);
          },
          (error: unknown) => {
            if (timed) branch._recordExecution(false, now() - start);
            if (failed) return;
            failed = true;
            scope.abort(error);
            reject(error);
          },
        );
      };
      while (next < limit) launch(next++);
    });
  }

  private async runSettled(context: WorkflowContext, input: unknown): Promise<PromiseSettledResult<unknown>[]> {
    const list = this.list;
    const count = list.length;
    const outcomes = new Array<PromiseSettledResult<unknown>>(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count && !context.aborted) {
        const index = next++;
        try {
          outcomes[index] = { status: 'fulfilled', value: await list[index]!.execute(context, input) };
        } catch (reason) {
          outcomes[index] = { status: 'rejected', reason };
        }
      }
    };
    const workers: Promise<void>[] = [];
    for (let slot = 0; slot < Math.min(this.concurrency, count); slot++) workers.push(worker());
    await Promise.all(workers);
    context.throwIfAborted();
    return outcomes;
  }
}

/** A parallel run of a tuple of branches, fail-fast, no concurrency limit. */
export function parallel<const TBranches extends readonly AnyPrimitive[]>(...branches: TBranches): ParallelPrimitive<TBranches>;
/** A parallel run of a record of branches, fail-fast, no concurrency limit. */
export function parallel<const TBranches extends { readonly [key: string]: AnyPrimitive }>(branches: TBranches): ParallelPrimitive<TBranches>;
export function parallel(...args: unknown[]): AnyPrimitive {
  if (args.length === 1 && !(args[0] instanceof WorkflowPrimitive) && typeof args[0] === 'object' && args[0] !== null) {
    return new ParallelPrimitive(args[0] as Record<string, AnyPrimitive>);
  }
  return new ParallelPrimitive(args as AnyPrimitive[]);
}
