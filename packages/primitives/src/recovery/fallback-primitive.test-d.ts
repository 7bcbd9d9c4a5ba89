import { describe, expectTypeOf, it } from 'vitest';
import { fallback, step, type FallbackPrimitive } from '@tta/primitives';

const primary = step('primary', (input: string) => input.length);
const backup = step('backup', (input: string) => input.length * 2);

describe('fallback forms', () => {
  it('takes the alternatives as an array, then the options', () => {
    expectTypeOf(fallback(primary, [backup])).toEqualTypeOf<FallbackPrimitive<string, number>>();
    expectTypeOf(fallback(primary, [backup], { fallbackOn: () => true, name: 'f' })).toEqualTypeOf<FallbackPrimitive<string, number>>();
  });

  it('does not take the options object in place of the alternatives', () => {
    // @ts-expect-error the alternatives are the second argument: fallback(primary, [backup])
    fallback(primary, { fallbacks: [backup] });
    // @ts-expect-error fallbacks does not belong in the factory's options
    fallback(primary, [backup], { fallbacks: [backup] });
  });

  it('refuses an alternative of another output type', () => {
    // @ts-expect-error a string alternative cannot stand in for a number primary
    fallback(primary, [step('text', (input: string) => input)]);
  });
});
