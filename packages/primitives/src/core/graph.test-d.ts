import { describe, expectTypeOf, it } from 'vitest';
import { fingerprint, parallel, step, toMermaid, type PrimitiveDescription, type PrimitiveOptionValue } from '@tta/primitives';
import type { PrimitiveChild } from '@tta/primitives/instrumentation';

const fetchA = step('fetch-a', (input: string) => input);

describe('graph types', () => {
  it('gives a description whose options are JSON scalars and whose children are descriptions', () => {
    const description = parallel({ a: fetchA }).describe();
    expectTypeOf(description).toEqualTypeOf<PrimitiveDescription>();
    expectTypeOf(description.children).toEqualTypeOf<readonly PrimitiveDescription[] | undefined>();
    expectTypeOf<NonNullable<PrimitiveDescription['options']>[string]>().toEqualTypeOf<PrimitiveOptionValue>();
    expectTypeOf<PrimitiveOptionValue>().toEqualTypeOf<string | number | boolean>();
    expectTypeOf(fetchA._children()).toEqualTypeOf<readonly PrimitiveChild[]>();
  });

  it('takes a primitive or a description, and only the two directions', () => {
    expectTypeOf(fingerprint(fetchA)).toBeString();
    expectTypeOf(toMermaid(fetchA.describe(), { direction: 'LR' })).toBeString();
    // @ts-expect-error 'BT' is not a direction toMermaid draws
    toMermaid(fetchA, { direction: 'BT' });
    // @ts-expect-error a plain object is neither a primitive nor a description
    toMermaid({ name: 'x' });
  });
});
