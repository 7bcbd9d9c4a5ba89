import { TtaError, hasMarker } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.FallbackExhaustedError');

/**
 * Rejection of a `FallbackPrimitive` when the primary and every fallback failed. `errors` holds
 * every failure in the order the primitives ran (primary first), like an `AggregateError`.
 *
 * Why not `extends AggregateError`: every toolkit error extends {@link TtaError} (one `code` and
 * `isInstance()` for all of them), and a class has one base. It has the same shape instead: an
 * `errors` array, and `cause` set to the last failure. Check it with `isInstance()`, not with
 * `instanceof AggregateError`.
 */
export class FallbackExhaustedError extends TtaError {
  private readonly [marker] = true;
  /** Every failure, primary first, then each fallback in order. */
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[]) {
    super(`All ${errors.length} alternatives failed (primary and ${errors.length - 1} fallback(s))`, 'FALLBACK_EXHAUSTED', {
      cause: errors.at(-1),
    });
    this.errors = errors;
  }

  /** True when `error` is a FallbackExhaustedError, from any copy of the package. */
  static override isInstance(error: unknown): error is FallbackExhaustedError {
    return hasMarker(error, marker);
  }
}
