import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { StandardSchemaV1 } from '@tta/primitives';
import type * as Primitives from '@tta/primitives';

describe('StandardSchemaV1', () => {
  it('is one namespace, like the Standard Schema spec: Props, Result, Issue, InferInput, InferOutput...', () => {
    const schema = z.object({ n: z.string().transform((text) => Number(text)) });
    expectTypeOf<StandardSchemaV1.InferInput<typeof schema>>().toEqualTypeOf<{ n: string }>();
    expectTypeOf<StandardSchemaV1.InferOutput<typeof schema>>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<StandardSchemaV1.Result<number>>().toEqualTypeOf<StandardSchemaV1.SuccessResult<number> | StandardSchemaV1.FailureResult>();
    expectTypeOf<StandardSchemaV1.Issue['message']>().toEqualTypeOf<string>();
    expectTypeOf<StandardSchemaV1.Props<string, number>['version']>().toEqualTypeOf<1>();
    expectTypeOf<StandardSchemaV1.Types<string, number>['output']>().toEqualTypeOf<number>();
    expectTypeOf<StandardSchemaV1.PathSegment['key']>().toEqualTypeOf<PropertyKey>();
    expectTypeOf(schema).toExtend<StandardSchemaV1<{ n: string }, { n: number }>>();
  });

  it('has no flat StandardSchemaV1* or InferSchema* exports beside the namespace', () => {
    // @ts-expect-error the namespace member StandardSchemaV1.Issue replaces it
    expectTypeOf<Primitives.StandardSchemaV1Issue>();
    // @ts-expect-error the namespace member StandardSchemaV1.Result replaces it
    expectTypeOf<Primitives.StandardSchemaV1Result<number>>();
    // @ts-expect-error the namespace member StandardSchemaV1.InferOutput replaces it
    expectTypeOf<Primitives.InferSchemaOutput<StandardSchemaV1>>();
  });
});
