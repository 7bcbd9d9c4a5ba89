import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.UnsafeNameError');

/**
 * Thrown when a name that becomes (or could become) part of a file path — a test case or mock name read
 * from a Keploy file, or given to `writeTestSet` — is not a plain file name: empty, `.` or `..`, or with
 * a `/`, `\`, `:` or control character. Nothing is written when it is thrown.
 */
export class UnsafeNameError extends TtaError<'UNSAFE_NAME'> {
  private readonly [marker] = true;
  /** The name as found. */
  readonly unsafeName: string;
  /** What the name names, e.g. `test case`. */
  readonly subject: string;
  /** The file the name was read from, when it came from one. */
  readonly file: string | undefined;
  /** Never worth retrying: the same name fails the same way. */
  override readonly retryable: boolean = false;

  constructor(subject: string, unsafeName: string, problem: string, file?: string, options: TtaErrorOptions = {}) {
    super(
      `${file === undefined ? '' : `${file}: `}${subject} name ${JSON.stringify(unsafeName)} is not a plain file name (${problem}); ` +
        'names may not be empty, "." or "..", nor contain "/", "\\", ":" or control characters',
      'UNSAFE_NAME',
      options,
    );
    this.unsafeName = unsafeName;
    this.subject = subject;
    this.file = file;
  }

  /** True when `error` is an UnsafeNameError, from any copy of the package. */
  static override isInstance(error: unknown): error is UnsafeNameError {
    return hasMarkerOf(error, marker);
  }
}
