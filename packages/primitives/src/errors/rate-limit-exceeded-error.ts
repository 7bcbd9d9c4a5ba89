import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.RateLimitExceededError');

/**
 * Rejection of a call by a `RateLimitPrimitive`: no permit was available (reject mode), or none
 * would be within `maxWaitMs` (wait mode). `retryAfterMs` says when to try again; `RetryPrimitive`
 * honours it.
 */
export class RateLimitExceededError extends TtaError<'RATE_LIMITED'> {
  private readonly [marker] = true;
  /** Permits come back: `RetryPrimitive` waits `retryAfterMs` and tries again. */
  override readonly retryable: boolean = true;
  /** Milliseconds until a permit should be available (`Infinity` when the request can never fit). */
  readonly retryAfterMs: number;
  /** Name of the rate limit that rejected the call. */
  readonly limiter: string;
  /** The limiter key of the call. */
  readonly key: string;

  constructor(limiter = 'rate-limit', key = 'default', retryAfterMs = 0, options: TtaErrorOptions = {}) {
    super(
      retryAfterMs === Infinity
        ? `Rate limit "${limiter}" can never grant this request (key "${key}")`
        : `Rate limit "${limiter}" exceeded (key "${key}"); retry after ${Math.ceil(retryAfterMs)} ms`,
      'RATE_LIMITED',
      options,
    );
    this.limiter = limiter;
    this.key = key;
    this.retryAfterMs = retryAfterMs;
  }

  /** True when `error` is a RateLimitExceededError, from any copy of the package. */
  static override isInstance(error: unknown): error is RateLimitExceededError {
    return hasMarker(error, marker);
  }
}
