import { SequentialPrimitive, type AnyPrimitive, type InputOf, type OutputOf, type WorkflowPrimitive } from '../core/workflow-primitive.js';

/**
 * Checks a chain of primitives: each element must accept the previous one's output. An element that
 * does not fit is replaced by the type it should have, which makes the call a compile error there.
 */
export type ChainCheck<TSteps extends readonly AnyPrimitive[], TPrevious = never, TChecked extends readonly unknown[] = []> =
  TSteps extends readonly [infer THead extends AnyPrimitive, ...infer TRest extends readonly AnyPrimitive[]]
    ? ChainCheck<
        TRest,
        OutputOf<THead>,
        [...TChecked, [TPrevious] extends [never] ? THead : WorkflowPrimitive<TPrevious, OutputOf<THead>>]
      >
    : TChecked;

type Last<TSteps extends readonly unknown[]> = TSteps extends readonly [...unknown[], infer TLast] ? TLast : never;

/**
 * Runs steps in order, each on the previous output: `sequential(a, b, c)` equals `a.pipe(b).pipe(c)`.
 * The types are checked across the whole chain.
 */
export function sequential<const TSteps extends readonly [AnyPrimitive, ...AnyPrimitive[]]>(
  ...steps: TSteps & ChainCheck<TSteps>
): SequentialPrimitive<InputOf<TSteps[0]>, OutputOf<Last<TSteps>>> {
  return new SequentialPrimitive(steps);
}
