import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { requireFunction, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Decides a branch from the input (and context); may be async. */
export type Condition<TInput> = (input: TInput, context: WorkflowContext) => boolean | PromiseLike<boolean>;

/** Options of {@link ConditionalPrimitive}. */
export interface ConditionalOptions<TInput, TThen, TElse> extends PrimitiveOptions {
  /** Chooses `then` when it returns true. */
  readonly condition: Condition<TInput>;
  /** Runs when the condition holds. */
  readonly then: WorkflowPrimitive<TInput, TThen>;
  /**
   * Runs when the condition does not hold.
   * @default the input passes through unchanged
   */
  readonly else?: WorkflowPrimitive<TInput, TElse>;
}

/**
 * Runs `then` or `else` depending on a condition of the input.
 *
 * @example
 * ```ts
 * const answer = new ConditionalPrimitive({
 *   condition: (question: string) => question.length > 200,
 *   then: largeModel,
 *   else: smallModel,
 * });
 * ```
 */
export class ConditionalPrimitive<TInput, TThen, TElse = TInput> extends WorkflowPrimitive<TInput, TThen | TElse> {
  private readonly condition: Condition<TInput>;
  private readonly thenBranch: WorkflowPrimitive<TInput, TThen>;
  private readonly elseBranch: WorkflowPrimitive<TInput, TElse> | undefined;

  constructor(options: ConditionalOptions<TInput, TThen, TElse>) {
    super('conditional', options);
    requireOptionsObject('ConditionalPrimitive', options);
    requireFunction('ConditionalPrimitive', 'condition', options.condition, { signature: '(input, context) => boolean' });
    requirePrimitive('ConditionalPrimitive', 'then', options.then);
    requirePrimitive('ConditionalPrimitive', 'else', options.else, { optional: true });
    this.condition = options.condition;
    this.thenBranch = options.then;
    this.elseBranch = options.else;
  }

  override _children(): readonly PrimitiveChild[] {
    const children: PrimitiveChild[] = [{ label: 'then', primitive: this.thenBranch }];
    if (this.elseBranch !== undefined) children.push({ label: 'else', primitive: this.elseBranch });
    return children;
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { condition: this.condition };
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TThen | TElse> {
    const holds = await this.condition(input, context);
    context.throwIfAborted();
    if (holds) return this.thenBranch.execute(context, input);
    if (this.elseBranch !== undefined) return this.elseBranch.execute(context, input);
    return input as unknown as TElse;
  }
}

/** Factory for {@link ConditionalPrimitive}. */
export function conditional<TInput, TThen, TElse = TInput>(options: ConditionalOptions<TInput, TThen, TElse>): ConditionalPrimitive<TInput, TThen, TElse> {
  return new ConditionalPrimitive(options);
}
