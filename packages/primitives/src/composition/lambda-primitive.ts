import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { requireFunction, requireNonEmptyString } from '../core/options.js';

/** The function a {@link LambdaPrimitive} runs: input first, so a one-argument function lifts as it is. */
export type StepFunction<TInput, TOutput> = (input: TInput, context: WorkflowContext) => TOutput | PromiseLike<TOutput>;

/** A primitive made from a function. Usually created with {@link step}. */
export class LambdaPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  private readonly fn: StepFunction<TInput, TOutput>;

  constructor(fn: StepFunction<TInput, TOutput>, options: PrimitiveOptions = {}) {
    super('step', options);
    requireFunction(`step "${options.name ?? 'step'}"`, 'fn', fn);
    this.fn = fn;
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const result = this.fn(input, context);
    return result instanceof Promise ? result : Promise.resolve(result);
  }
}

/**
 * Lifts a function into a primitive. The function gets the input first and the context second.
 *
 * @example
 * <!-- snippet-prelude: declare function lookUpPrice(order: Order, signal: AbortSignal): Promise<number>; -->
 * ```ts
 * const parse = step('parse', (text: string) => JSON.parse(text) as Order);
 * const price = step('price', async (order: Order, context) => lookUpPrice(order, context.signal));
 * const workflow = parse.pipe(price);
 * ```
 */
export function step<TInput, TOutput>(name: string, fn: StepFunction<TInput, TOutput>, options: Omit<PrimitiveOptions, 'name'> = {}): LambdaPrimitive<TInput, TOutput> {
  requireNonEmptyString('step', 'name', name);
  return new LambdaPrimitive(fn, { ...options, name });
}
