// Bad input to the core: generated options and inputs give a result or a typed error, never a
// crash, a hang or a TypeError from inside the library.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ConditionalPrimitive,
  ParallelPrimitive,
  RouterPrimitive,
  SequentialPrimitive,
  WorkflowContext,
  step,
  type AnyPrimitive,
} from '@tta/primitives';
import { MockPrimitive } from '@tta/primitives/testing';
import { classify, withinTime } from './typed-outcome.js';
import { tally } from './figures.js';

const anything = fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true });
const userError = new Error('user failure');
const userErrors = new Set<unknown>([userError]);
const okStep = step('ok', (input: unknown) => input);
const badStep = step('bad', () => {
  throw userError;
});
const primitiveOrJunk = fc.oneof(fc.constant<unknown>(okStep), fc.constant<unknown>(badStep), anything);
const optionsLike = fc.oneof(anything, fc.record({ concurrency: anything, mode: anything, name: anything, instrument: anything }, { requiredKeys: [] }));

const constructors: Record<string, fc.Arbitrary<() => unknown>> = {
  ParallelPrimitive: fc.tuple(fc.oneof(fc.array(primitiveOrJunk, { maxLength: 4 }), fc.dictionary(fc.string(), primitiveOrJunk, { maxKeys: 3 }), anything), optionsLike).map(
    ([branches, options]) => () => new ParallelPrimitive(branches as never, options as never),
  ),
  SequentialPrimitive: fc.tuple(fc.oneof(fc.array(primitiveOrJunk, { maxLength: 4 }), anything), optionsLike).map(([steps, options]) => () => new SequentialPrimitive(steps as never, options as never)),
  step: fc.tuple(anything, fc.oneof(fc.constant((x: unknown) => x), anything)).map(([name, fn]) => () => step(name as never, fn as never)),
  ConditionalPrimitive: fc.record({ condition: fc.oneof(fc.constant(() => true), anything), then: primitiveOrJunk, else: primitiveOrJunk }, { requiredKeys: [] }).map((options) => () => new ConditionalPrimitive(options as never)),
  RouterPrimitive: fc.record({ routes: fc.oneof(fc.dictionary(fc.string(), primitiveOrJunk, { maxKeys: 3 }), anything), selector: fc.oneof(fc.constant(() => 'a'), anything), defaultRoute: anything }, { requiredKeys: [] }).map(
    (options) => () => new RouterPrimitive(options as never),
  ),
  MockPrimitive: fc
    .oneof(anything, fc.record({ returnValue: anything, sequence: fc.oneof(anything, fc.array(fc.oneof(fc.record({ value: anything }), fc.record({ error: anything })), { maxLength: 3 })), implementation: anything, error: anything }, { requiredKeys: [] }))
    .map((options) => () => {
      const mock = new MockPrimitive(options as never);
      // A mock told to fail with a value rethrows that value: it is the user's error, not ours.
      const configured = (typeof options === 'object' && options !== null ? options : {}) as { error?: unknown; sequence?: Array<{ error?: unknown }> };
      userErrors.add(configured.error);
      for (const outcome of Array.isArray(configured.sequence) ? configured.sequence : []) userErrors.add((outcome as { error?: unknown } | null)?.error);
      return mock;
    }),
  WorkflowContext: fc.oneof(anything, fc.record({ correlationId: anything, data: anything, state: anything, signal: anything, deadline: anything, timeoutMs: anything, clock: anything, logger: anything, baggage: anything }, { requiredKeys: [] })).map(
    (options) => () => WorkflowContext.create(options as never),
  ),
};

describe('bad input to core constructors and execute', () => {
  for (const [name, arbitrary] of Object.entries(constructors)) {
    it(`${name}: any options give an instance or a typed error, and execute settles with a value or a typed/user error`, async () => {
      let tried = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, anything, async (construct, input) => {
          tried++;
          let instance: unknown;
          try {
            instance = construct();
          } catch (error) {
            classify(error, userErrors);
            return;
          }
          if (instance instanceof WorkflowContext) {
            await withinTime(okStep.execute(instance, input).catch((error: unknown) => classify(error, userErrors)), 2_000, name);
            return;
          }
          const primitive = instance as AnyPrimitive;
          await withinTime(
            primitive.execute(WorkflowContext.create({ timeoutMs: 1_000 }), input).catch((error: unknown) => classify(error, userErrors)),
            3_000,
            `${name}.execute`,
          );
        }),
        { numRuns: 300, seed: Number(process.env["TTA_FUZZ_SEED"] ?? 20_261_125) },
      );
      tally('inputsTried', tried);
      expect(tried).toBeGreaterThanOrEqual(300);
    });
  }
});
