import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.BulkheadRejectedError');

/**
 * Rejection of a call that a `BulkheadPrimitive` could not admit: every execution slot and every
 * queue place was taken. Never retried by default (retrying at once would only add load).
 */
export class BulkheadRejectedError extends TtaError<'BULKHEAD_REJECTED'> {
  private readonly [marker] = true;
  /** Name of the bulkhead that rejected the call. */
  readonly bulkhead: string;
  /** Lets `RetryPrimitive` skip it by default. */
  override readonly retryable: boolean = false;
  /** The bulkhead's `maxConcurrent`. */
  readonly maxConcurrent: number;
  /** The bulkhead's `maxQueue`. */
  readonly maxQueue: number;

  constructor(bulkhead = 'bulkhead', maxConcurrent = 0, maxQueue = 0, options: TtaErrorOptions = {}) {
    super(`Bulkhead "${bulkhead}" is full (${maxConcurrent} running, ${maxQueue} queued)`, 'BULKHEAD_REJECTED', options);
    this.bulkhead = bulkhead;
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  /** True when `error` is a BulkheadRejectedError, from any copy of the package. */
  static override isInstance(error: unknown): error is BulkheadRejectedError {
    return hasMarker(error, marker);
  }
}
