import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.UnmatchedRequestError');

/**
 * Thrown (as the rejection of the intercepted `fetch` or the `error` of the `node:http` request) when a
 * request has no recording in replay mode. The request never reaches the network.
 */
export class UnmatchedRequestError extends TtaError<'UNMATCHED_REQUEST'> {
  private readonly [marker] = true;
  /** Replay answers from the recordings only: the same request finds no recording again. */
  override readonly retryable: boolean = false;
  /** HTTP method of the request, upper case. */
  readonly method: string;
  /** Full URL of the request. */
  readonly url: string;
  /** Name of the test set that was searched. */
  readonly testSet: string;

  constructor(method: string, url: string, testSet: string, hint = '', options: TtaErrorOptions = {}) {
    super(
      `No recorded response for ${method} ${url} in test set "${testSet}"; the request was not sent.` +
        (hint === '' ? '' : ` ${hint}`) +
        ' Record it with mode "record" or "update" (or TTA_RECORD_MODE=update).',
      'UNMATCHED_REQUEST',
      options,
    );
    this.method = method;
    this.url = url;
    this.testSet = testSet;
  }

  /** True when `error` is an UnmatchedRequestError, from any copy of the package. */
  static override isInstance(error: unknown): error is UnmatchedRequestError {
    return hasMarkerOf(error, marker);
  }
}
