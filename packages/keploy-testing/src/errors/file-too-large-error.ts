import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.FileTooLargeError');

const mebibyte = 1024 * 1024;
const formatBytes = (bytes: number): string => (bytes >= mebibyte ? `${(bytes / mebibyte).toFixed(1)} MiB` : `${bytes} bytes`);

/**
 * Thrown before a Keploy file (`mocks.yaml`, a test case) is read when it is larger than the limit
 * (`maxFileBytes`, 256 MiB by default): parsing YAML costs many times the file's size in memory, so an
 * unbounded file could take the process down.
 */
export class FileTooLargeError extends TtaError<'FILE_TOO_LARGE'> {
  private readonly [marker] = true;
  /** The file that was refused. */
  readonly file: string;
  /** Its size in bytes (at least this much, for a file that kept growing while read). */
  readonly sizeBytes: number;
  /** The limit it exceeds, in bytes. */
  readonly limitBytes: number;
  /** Never worth retrying: the same file fails the same way. */
  override readonly retryable: boolean = false;

  constructor(file: string, sizeBytes: number, limitBytes: number, options: TtaErrorOptions = {}) {
    super(
      `${file} is ${formatBytes(sizeBytes)}, over the limit of ${formatBytes(limitBytes)} for Keploy files; ` +
        'raise it with the maxFileBytes option (--max-file-bytes for tta-keploy) if the file is trusted',
      'FILE_TOO_LARGE',
      options,
    );
    this.file = file;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /** True when `error` is a FileTooLargeError, from any copy of the package. */
  static override isInstance(error: unknown): error is FileTooLargeError {
    return hasMarkerOf(error, marker);
  }
}
