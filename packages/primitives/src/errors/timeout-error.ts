import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.TimeoutError');

/**
 * Rejection of a `TimeoutPrimitive` whose inner work did not settle within `timeoutMs`. It is also
 * the abort reason of the signal the inner work was given. Built only when the timeout fires.
 */
export class TimeoutError extends TtaError<'TIMEOUT'> {
  private readonly [marker] = true;
  /** A slow call may be fast the next time. */
  override readonly retryable: boolean = true;
  /** The time limit that passed (undefined when not given). */
  readonly timeoutMs: number | undefined;

  constructor(timeoutMs?: number, options: TtaErrorOptions = {}) {
    super(timeoutMs === undefined ? 'The operation timed out' : `The operation timed out after ${timeoutMs} ms`, 'TIMEOUT', options);
    this.timeoutMs = timeoutMs;
  }

  /** True when `error` is a TimeoutError, from any copy of the package. */
  static override isInstance(error: unknown): error is TimeoutError {
    return hasMarker(error, marker);
  }
}
