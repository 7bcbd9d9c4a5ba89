import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.RecordedResponseError');

/** The error a generated `MockPrimitive` rejects with for a recorded response of status 400 or more. */
export class RecordedResponseError extends TtaError<'RECORDED_RESPONSE_ERROR'> {
  private readonly [marker] = true;
  /** Recorded status code. */
  readonly status: number;
  /** Recorded response body (text). */
  readonly body: string;
  /** Marks client errors (4xx except 408/429) as not worth retrying, as the retry primitive expects. */
  override readonly retryable: boolean;

  constructor(status: number, body: string, mockName: string, options: TtaErrorOptions = {}) {
    super(`Recorded response ${mockName} has status ${status}`, 'RECORDED_RESPONSE_ERROR', options);
    this.status = status;
    this.body = body;
    this.retryable = status >= 500 || status === 408 || status === 429;
  }

  /** True when `error` is a RecordedResponseError, from any copy of the package. */
  static override isInstance(error: unknown): error is RecordedResponseError {
    return hasMarkerOf(error, marker);
  }
}
