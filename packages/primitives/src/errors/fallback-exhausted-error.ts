import { hasMarker, ttaErrorMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.FallbackExhaustedError');

/**
 * Rejection of a `FallbackPrimitive` when the primary and every fallback failed. It is an
 * `AggregateError`: `errors` holds every failure in the order the primitives ran (primary first),
 * and `cause` is the last one.
 *
 * A class has one base, so this one extends `AggregateError` rather than `TtaError`; it carries the
 * toolkit brand and `code` all the same, so `TtaError.isInstance(error)` and
 * `error instanceof TtaError` hold for it.
 */
export class FallbackExhaustedError extends AggregateError {
  private readonly [ttaErrorMarker] = true;
  private readonly [marker] = true;
  /** Stable, machine-readable identifier of the failure. */
  readonly code = 'FALLBACK_EXHAUSTED' as const;
  /** Every alternative may have failed for a passing reason, so the whole fallback may run again. */
  readonly retryable: boolean = true;
  /** Every failure, primary first, then each fallback in order. */
  declare readonly errors: unknown[];

  /**
   * @param errors every failure, in the order the alternatives ran
   * @param options `cause` defaults to the last failure
   */
  constructor(errors: readonly unknown[] = [], options: TtaErrorOptions = {}) {
    const list = Array.isArray(errors) ? [...errors] : [];
    const cause = 'cause' in options ? options.cause : list.at(-1);
    super(list, describe(list.length), cause === undefined ? undefined : { cause });
    this.name = 'FallbackExhaustedError';
  }

  /** True when `error` is a FallbackExhaustedError, from any copy of the package. */
  static isInstance(error: unknown): error is FallbackExhaustedError {
    return hasMarker(error, marker);
  }
}

function describe(count: number): string {
  if (count === 0) return 'Every alternative failed';
  return `All ${count} alternatives failed (primary and ${count - 1} fallback(s))`;
}
