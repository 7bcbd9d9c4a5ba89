import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.TooManyDocumentsError');

/**
 * Thrown while reading a test set when `mocks.yaml` holds, or `tests/` has, more YAML documents than the
 * limit (`maxDocuments`, 1,000,000 by default): each document costs memory of its own, so a file of
 * millions of tiny documents would use many times its size even under the byte limit.
 */
export class TooManyDocumentsError extends TtaError<'TOO_MANY_DOCUMENTS'> {
  private readonly [marker] = true;
  /** The file (`mocks.yaml`) or folder (`tests/`) that was refused. */
  readonly file: string;
  /** The limit it exceeds. */
  readonly limit: number;
  /** Never worth retrying: the same file fails the same way. */
  override readonly retryable: boolean = false;

  constructor(file: string, limit: number, options: TtaErrorOptions = {}) {
    super(
      `${file} holds more than ${limit} YAML documents (mocks or test cases); ` +
        'raise the limit with the maxDocuments option (--max-documents for tta-keploy) if the file is trusted',
      'TOO_MANY_DOCUMENTS',
      options,
    );
    this.file = file;
    this.limit = limit;
  }

  /** True when `error` is a TooManyDocumentsError, from any copy of the package. */
  static override isInstance(error: unknown): error is TooManyDocumentsError {
    return hasMarkerOf(error, marker);
  }
}
