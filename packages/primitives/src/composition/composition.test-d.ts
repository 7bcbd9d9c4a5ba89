import { describe, expectTypeOf, it } from 'vitest';
import {
  ConditionalPrimitive,
  ParallelPrimitive,
  RouterPrimitive,
  WorkflowContext,
  parallel,
  sequential,
  step,
  type SequentialPrimitive,
  type WorkflowPrimitive,
} from '@tta/primitives';

const toNumber = step('toNumber', (text: string) => Number(text));
const double = step('double', (value: number) => value * 2);
const toText = step('toText', (value: number) => `${value}`);
const toFlag = step('toFlag', (text: string) => text.length > 0);
const negate = step('negate', (flag: boolean) => !flag);

describe('composition types', () => {
  it('infers a chain of 2 steps', () => {
    const chain = toNumber.pipe(double);
    expectTypeOf(chain).toEqualTypeOf<SequentialPrimitive<string, number>>();
    expectTypeOf(chain.execute).returns.resolves.toEqualTypeOf<number>();
    // @ts-expect-error a number-producing step cannot feed a step that takes a string
    toNumber.pipe(toFlag);
  });

  it('infers a chain of 5 steps with pipe and with sequential', () => {
    const piped = toNumber.pipe(double).pipe(toText).pipe(toFlag).pipe(negate);
    expectTypeOf(piped).toEqualTypeOf<SequentialPrimitive<string, boolean>>();
    const listed = sequential(toNumber, double, toText, toFlag, negate);
    expectTypeOf(listed).toEqualTypeOf<SequentialPrimitive<string, boolean>>();
    // @ts-expect-error toFlag takes a string but double produces a number
    sequential(toNumber, double, toFlag, negate, negate);
  });

  it('infers a chain of 12 steps', () => {
    const twelve = sequential(toNumber, double, double, double, toText, toNumber, double, toText, toFlag, negate, negate, negate);
    expectTypeOf(twelve).toEqualTypeOf<SequentialPrimitive<string, boolean>>();
    const pipedTwelve = toNumber.pipe(double).pipe(double).pipe(double).pipe(toText).pipe(toNumber).pipe(double).pipe(toText).pipe(toFlag).pipe(negate).pipe(negate).pipe(negate);
    expectTypeOf(pipedTwelve.execute).returns.resolves.toEqualTypeOf<boolean>();
    // @ts-expect-error the eleventh step (double) cannot take the boolean from negate
    sequential(toNumber, double, double, double, toText, toNumber, double, toText, toFlag, negate, double, negate);
  });

  it('types a tuple-shaped parallel nested inside a sequence', () => {
    const fanOut = toNumber.pipe(parallel(double, toText)).pipe(step('join', ([value, text]: [number, string]) => `${value}/${text}`));
    expectTypeOf(fanOut).toEqualTypeOf<SequentialPrimitive<string, string>>();
    expectTypeOf(parallel(double, toText).execute).returns.resolves.toEqualTypeOf<[number, string]>();
    // @ts-expect-error the join step expects [number, string], parallel(toText, double) gives [string, number]
    toNumber.pipe(parallel(toText, double)).pipe(step('join', ([value, text]: [number, string]) => `${value}/${text}`));
  });

  it('types a record-shaped parallel', () => {
    const both = parallel({ count: double, label: toText });
    expectTypeOf(both.execute).returns.resolves.toEqualTypeOf<{ count: number; label: string }>();
    expectTypeOf(both).toMatchTypeOf<WorkflowPrimitive<number, { count: number; label: string }>>();
    const settled = new ParallelPrimitive({ count: double }, { mode: 'settle' });
    expectTypeOf(settled.execute).returns.resolves.toEqualTypeOf<{ count: PromiseSettledResult<number> }>();
    // @ts-expect-error branches with incompatible inputs cannot share one input
    parallel({ count: double, flag: toFlag }).execute(new WorkflowContext(), 1);
  });

  it('types conditional and router outputs as the union of their branches', () => {
    const chosen = new ConditionalPrimitive({ condition: (value: number) => value > 0, then: toText, else: double });
    expectTypeOf(chosen.execute).returns.resolves.toEqualTypeOf<string | number>();
    const routed = new RouterPrimitive({ routes: { text: toText, twice: double }, selector: (value: number) => (value > 1 ? 'text' : 'twice') });
    expectTypeOf(routed.execute).returns.resolves.toEqualTypeOf<string | number>();
    expectTypeOf(routed.execute).parameter(1).toEqualTypeOf<number>();
  });

  it('passes the input first and the context second to step functions', () => {
    step('typed', (input: string, context) => {
      expectTypeOf(input).toEqualTypeOf<string>();
      expectTypeOf(context).toEqualTypeOf<WorkflowContext>();
      return input;
    });
  });
});
