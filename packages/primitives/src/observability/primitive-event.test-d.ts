import { describe, expectTypeOf, it } from 'vitest';
import { emitPrimitiveEvent, type PrimitiveEvent, type PrimitiveEventType } from '@tta/primitives/instrumentation';

// A custom primitive's event, added the documented way; the cases below narrow to it like to the built-in ones.
declare module '@tta/primitives/instrumentation' {
  interface PrimitiveEventMap {
    'test-warm-up': { readonly keys: number };
  }
}

const source = { name: 'lookup', kind: 'cache' };

describe('PrimitiveEvent', () => {
  it('narrows to the fields of each event in a switch on its type', () => {
    const check = (event: PrimitiveEvent): void => {
      switch (event.type) {
        case 'retry':
          expectTypeOf(event.attempt).toEqualTypeOf<number>();
          expectTypeOf(event.delayMs).toEqualTypeOf<number>();
          expectTypeOf(event.error).toEqualTypeOf<unknown>();
          // @ts-expect-error a retry event has no cache key
          void event.key;
          break;
        case 'give-up':
          expectTypeOf(event.reason).toEqualTypeOf<'exhausted' | 'not-retryable'>();
          break;
        case 'circuit-reject':
          expectTypeOf(event.state).toEqualTypeOf<'open' | 'half-open'>();
          break;
        case 'circuit-break':
          expectTypeOf(event.breakDurationMs).toEqualTypeOf<number>();
          break;
        case 'cache-hit':
          expectTypeOf(event.stale).toEqualTypeOf<boolean>();
          break;
        case 'cache-evict':
          expectTypeOf(event.reason).toEqualTypeOf<'capacity' | 'expired'>();
          break;
        case 'reject':
          if (event.reason === 'bulkhead-full') expectTypeOf(event.queued).toEqualTypeOf<number>();
          else expectTypeOf(event.retryAfterMs).toEqualTypeOf<number>();
          break;
        case 'hedge':
          expectTypeOf(event.reason).toEqualTypeOf<'delay' | 'failure'>();
          break;
        case 'test-warm-up':
          expectTypeOf(event.keys).toEqualTypeOf<number>();
          break;
        default:
          expectTypeOf(event.type).toEqualTypeOf<Exclude<PrimitiveEventType, 'retry' | 'give-up' | 'circuit-reject' | 'circuit-break' | 'cache-hit' | 'cache-evict' | 'reject' | 'hedge' | 'test-warm-up'>>();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('lists every event type the primitives report', () => {
    expectTypeOf<'retry' | 'give-up' | 'fallback' | 'timeout' | 'compensate' | 'batch' | 'rate-limit-wait' | 'cache-error'>().toMatchTypeOf<PrimitiveEventType>();
  });

  it('accepts a complete event and refuses an unknown type or a missing field', () => {
    emitPrimitiveEvent({ type: 'retry', attempt: 1, delayMs: 100, error: new Error('flaky') }, source, undefined);
    emitPrimitiveEvent({ type: 'test-warm-up', keys: 3 }, source, undefined);
    // @ts-expect-error an event type nobody declared in PrimitiveEventMap
    emitPrimitiveEvent({ type: 'retyr', attempt: 1 }, source, undefined);
    // @ts-expect-error a retry event without its delay
    emitPrimitiveEvent({ type: 'retry', attempt: 1, error: undefined }, source, undefined);
  });
});
