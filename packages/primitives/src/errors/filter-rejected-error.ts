import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.FilterRejectedError');

/**
 * Rejection of a `FilterPrimitive` with `onReject: 'throw'`: an item did not pass the predicate.
 * Never retried by default (the same items fail again).
 */
export class FilterRejectedError extends TtaError<'FILTER_REJECTED'> {
  private readonly [marker] = true;
  /** Index of the first rejected item in the input array. */
  readonly index: number;
  /** The rejected item. */
  readonly item: unknown;
  /** Lets `RetryPrimitive` skip it: the same input is rejected again. */
  override readonly retryable: boolean = false;

  constructor(filter = 'filter', index = 0, item?: unknown, options: TtaErrorOptions = {}) {
    super(`Filter "${filter}" rejected item ${index}`, 'FILTER_REJECTED', options);
    this.index = index;
    this.item = item;
  }

  /** True when `error` is a FilterRejectedError, from any copy of the package. */
  static override isInstance(error: unknown): error is FilterRejectedError {
    return hasMarker(error, marker);
  }
}
