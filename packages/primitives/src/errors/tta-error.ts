/**
 * The brand every toolkit error carries, whatever its base class. Not exported by any entry point;
 * kept in the published types because every error's `.d.ts` names it (a private brand member).
 */
export const ttaErrorMarker: unique symbol = Symbol.for('@tta/primitives.TtaError') as never;

/**
 * Options shared by every error of the toolkit. Every error class takes the facts its message is
 * made of as arguments, then this object last: `new TimeoutError(5_000, { cause })`.
 */
export interface TtaErrorOptions {
  /** The error that caused this one. */
  readonly cause?: unknown;
}

/**
 * Base class of every error thrown by the toolkit. Each subclass has a stable `code`, a default
 * message, and a `Symbol.for` brand, so `isInstance()` works even across duplicate installs of the
 * package. `instanceof TtaError` checks the brand too, so it also holds for
 * `FallbackExhaustedError`, which extends `AggregateError` instead.
 *
 * `retryable` says whether trying the same call again may succeed; `retry()` leaves an error alone
 * when it is `false`. It is `false` unless a subclass says otherwise (`TimeoutError`,
 * `RateLimitExceededError` and the other transient failures set it to `true`).
 *
 * @typeParam TCode - the literal `code` of the subclass (one of `TtaErrorCode` for the toolkit's own errors)
 * @example
 * ```ts
 * class QuotaError extends TtaError<'QUOTA_EXCEEDED'> {
 *   override readonly retryable: boolean = true;
 *   constructor(options: TtaErrorOptions = {}) {
 *     super('The monthly quota is spent', 'QUOTA_EXCEEDED', options);
 *   }
 * }
 * ```
 */
export class TtaError<TCode extends string = string> extends Error {
  private readonly [ttaErrorMarker] = true;
  /** Stable, machine-readable identifier of the failure. */
  readonly code: TCode;
  /** Whether trying the same call again may succeed. `retry()` does not retry an error whose flag is false. @default false */
  readonly retryable: boolean = false;

  constructor(message = 'A toolkit operation failed', code: TCode = 'TTA_ERROR' as TCode, options: TtaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /** True when `error` is a toolkit error, from any copy of the package. */
  static isInstance(error: unknown): error is TtaError {
    return hasMarker(error, ttaErrorMarker);
  }

  /**
   * `value instanceof TtaError` checks the brand (any toolkit error, from any copy of the package);
   * `instanceof` a subclass keeps the usual prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === TtaError) return hasMarker(value, ttaErrorMarker);
    try {
      return Function.prototype[Symbol.hasInstance].call(this, value);
    } catch {
      // A proxy whose getPrototypeOf trap throws (or a revoked one) is not one of our errors.
      return false;
    }
  }
}

/** True when `value` is an object that carries the brand `marker`. */
export function hasMarker(value: unknown, marker: symbol): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return (value as Record<symbol, unknown>)[marker] === true;
  } catch {
    // A revoked proxy or a throwing `get` trap: a brand check must answer, never throw.
    return false;
  }
}
