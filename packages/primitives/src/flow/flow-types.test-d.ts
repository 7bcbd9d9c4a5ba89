import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as v from 'valibot';
import {
  batch,
  bulkhead,
  cache,
  filter,
  hedge,
  rateLimit,
  step,
  stream,
  validate,
  type CachePrimitive,
  type StreamPrimitive,
  type WorkflowContext,
  type WorkflowPrimitive,
} from '@tta/primitives';

const llm = step('llm', (prompt: string) => ({ text: prompt, tokens: prompt.length }));
type Reply = { text: string; tokens: number };

describe('flow primitive types', () => {
  it('keeps the inner types through cache, bulkhead, rateLimit and hedge', () => {
    expectTypeOf(cache(llm)).toEqualTypeOf<CachePrimitive<string, Reply>>();
    expectTypeOf(hedge(bulkhead(rateLimit(cache(llm), { tokensPerInterval: 1, intervalMs: 1 }), { maxConcurrent: 1 }), { delayMs: 5 })).toExtend<
      WorkflowPrimitive<string, Reply>
    >();
  });

  it('types the callbacks from the inner input', () => {
    cache(llm, {
      key: (input, context) => {
        expectTypeOf(input).toEqualTypeOf<string>();
        expectTypeOf(context).toEqualTypeOf<WorkflowContext>();
        return input;
      },
    });
    rateLimit(llm, { tokensPerInterval: 1, intervalMs: 1, permits: (input) => input.length, key: (input) => input.slice(0, 3) });
    // @ts-expect-error the key must be a string
    cache(llm, { key: (input: string) => input.length });
  });

  it('turns an array primitive into a single-item one with batch', () => {
    const embedMany = step('embed', (texts: string[]) => texts.map((text) => [text.length]));
    expectTypeOf(batch(embedMany, { maxBatchSize: 8, maxWaitMs: 5 })).toExtend<WorkflowPrimitive<string, number[]>>();
    // @ts-expect-error batch needs a primitive over arrays
    batch(llm, { maxBatchSize: 8, maxWaitMs: 5 });
  });

  it('infers stream item types through map and filter', () => {
    const lengths = stream((prompt: string) => prompt.split(' ')).map(async (word) => word.length);
    expectTypeOf(lengths).toEqualTypeOf<StreamPrimitive<string, number>>();
    expectTypeOf(lengths.collect()).toEqualTypeOf<WorkflowPrimitive<string, number[]>>();
    expectTypeOf(stream<number>()).toEqualTypeOf<StreamPrimitive<AsyncIterable<number> | Iterable<number>, number>>();
  });

  it('narrows with type-guard filters', () => {
    expectTypeOf(filter((item: string | null): item is string => item !== null)).toExtend<WorkflowPrimitive<readonly (string | null)[], string[]>>();
    expectTypeOf(filter(async (item: number) => item > 0)).toExtend<WorkflowPrimitive<readonly number[], number[]>>();
  });

  it('infers the output of validate from zod and valibot schemas, and accepts any input', () => {
    expectTypeOf(validate(z.object({ id: z.string(), n: z.coerce.number() }))).toExtend<WorkflowPrimitive<unknown, { id: string; n: number }>>();
    expectTypeOf(validate(v.array(v.picklist(['a', 'b'])))).toExtend<WorkflowPrimitive<unknown, ('a' | 'b')[]>>();
    expectTypeOf(step('raw', (input: number) => String(input)).pipe(validate(z.string().min(1)))).toExtend<WorkflowPrimitive<number, string>>();
    // @ts-expect-error not a Standard Schema
    validate({ parse: (value: unknown) => value });
  });
});
