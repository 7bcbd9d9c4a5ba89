import { recordedByExecute, WorkflowPrimitive, type AnyPrimitive, type InputOf, type OutputOf, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { WorkflowContext, type ChildContextOverrides } from '../core/workflow-context.js';
import { LazyAbort } from '../core/abort.js';
import { requireInteger, requireOneOf } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

const noOverrides: ChildContextOverrides = Object.freeze({});

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
 * ```ts
 * const both = new ParallelPrimitive({ summary: summarise, sentiment: classify }, { concurrency: 2 });
 * const { summary, sentiment } = await both.execute(context, text);
 * ```
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

  override _children(): readonly PrimitiveChild[] {
    return this.list.map((primitive, index) => ({ label: this.keys?.[index] ?? String(index), primitive }));
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { concurrency: this.concurrency, mode: this.mode };
  }

  protected executeImpl(context: WorkflowContext, input: ParallelInput<TBranches>): Promise<ParallelOutput<TBranches, TMode>> {
    return this._executeCounted(context, input, recordedByExecute);
  }

  /**
   * @internal The whole logic; `ownToken` is this call's own metrics token (see `WorkflowPrimitive`).
   * A fail-fast tuple records it in the reactions it has anyway; the other forms add one.
   */
  protected override _executeCounted(context: WorkflowContext, input: ParallelInput<TBranches>, ownToken: number): Promise<ParallelOutput<TBranches, TMode>> {
    const keys = this.keys;
    if (this.mode !== 'settle' && keys === undefined) return this.runFailFast(context, input, ownToken) as Promise<ParallelOutput<TBranches, TMode>>;
    const results = this.mode === 'settle' ? this.runSettled(context, input) : this.runFailFast(context, input, recordedByExecute);
    const output = keys === undefined ? results : results.then((values) => {
      const record: Record<string, unknown> = {};
      for (let index = 0; index < keys.length; index++) record[keys[index]!] = values[index];
      return record;
    });
    if (ownToken === recordedByExecute) return output as Promise<ParallelOutput<TBranches, TMode>>;
    return output.then(
      (value) => {
        this._stepEnd(ownToken, true);
        return value as ParallelOutput<TBranches, TMode>;
      },
      (error: unknown) => {
        this._stepEnd(ownToken, false);
        throw error;
      },
    );
  }

  private runFailFast(context: WorkflowContext, input: unknown, ownToken: number): Promise<unknown[]> {
    const list = this.list;
    const count = list.length;
    if (count === 0) {
      this._stepEnd(ownToken, true);
      return Promise.resolve([]);
    }
    // Released or aborted on every way out below, so its link to the caller can be strong.
    const scope = new LazyAbort(context._abort, undefined, true);
    const branchContext = WorkflowContext.derive(context, noOverrides, scope);
    if (this.concurrency >= count) {
      // Every branch starts at once: Promise.all already fails fast. A branch is counted when the
      // whole run settles, so a branch costs no promise reaction of its own; only a branch whose
      // latency is sampled gets one, to be timed to its own end.
      const promises = new Array<Promise<unknown>>(count);
      // Made only when a branch is counted here (metrics on, no instrumentation registered).
      let tokens: number[] | undefined;
      for (let index = 0; index < count; index++) {
        const branch = list[index]!;
        const token = branch._stepStart(branchContext);
        const promise = branch._executeStep(branchContext, input, token);
        if (token === recordedByExecute) {
          promises[index] = promise;
        } else if (Number.isFinite(token)) {
          promises[index] = promise.then(
            (value) => (branch._stepEnd(token, true), value),
            (error: unknown) => {
              branch._stepEnd(token, false);
              throw error;
            },
          );
        } else {
          promises[index] = promise;
          (tokens ??= new Array<number>(count).fill(recordedByExecute))[index] = token;
        }
      }
      return Promise.all(promises).then(
        (values) => {
          if (tokens !== undefined) for (let index = 0; index < count; index++) list[index]!._stepEnd(tokens[index]!, true);
          scope.release();
          // Branches that ignored their signal may all resolve after the caller's abort: the
          // caller asked to stop, so the run rejects with the abort reason, as `settle` mode does.
          const aborted = context.aborted;
          this._stepEnd(ownToken, !aborted);
          if (aborted) throw context.abortReason;
          return values;
        },
        (error: unknown) => {
          this._stepEnd(ownToken, false);
          scope.abort(error);
          // The branches still running are counted when they settle.
          for (let index = 0; tokens !== undefined && index < count; index++) {
            const token = tokens[index]!;
            if (token === recordedByExecute) continue;
            const branch = list[index]!;
            promises[index]!.then(
              () => branch._stepEnd(token, true),
              () => branch._stepEnd(token, false),
            );
          }
          throw error;
        },
      );
    }
    const limit = Math.min(this.concurrency, count);
    return new Promise<unknown[]>((resolve, reject) => {
      const values = new Array<unknown>(count);
      let remaining = count;
      let next = 0;
      let failed = false;
      const launch = (index: number): void => {
        const branch = list[index]!;
        const token = branch._stepStart(branchContext);
        branch._executeStep(branchContext, input, token).then(
          (value) => {
            branch._stepEnd(token, true);
            values[index] = value;
            if (--remaining === 0) {
              scope.release();
              const aborted = context.aborted;
              // After a failure the call was already recorded (and rejected).
              if (!failed) this._stepEnd(ownToken, !aborted);
              if (aborted) reject(context.abortReason);
              else resolve(values);
            } else if (next < count && !failed) launch(next++);
          },
          (error: unknown) => {
            branch._stepEnd(token, false);
            if (failed) return;
            failed = true;
            this._stepEnd(ownToken, false);
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
