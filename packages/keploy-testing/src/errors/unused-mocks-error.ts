import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.UnusedMocksError');

/** Thrown by `assertAllUsed()` when some HTTP recordings were never replayed; the message names them. */
export class UnusedMocksError extends TtaError<'UNUSED_MOCKS'> {
  private readonly [marker] = true;
  /** The same test run leaves the same recordings unused. */
  override readonly retryable: boolean = false;
  /** Names of the unused mocks with their method and URL, e.g. `mock-3 (GET /users/1)`. */
  readonly unused: readonly string[];

  constructor(testSet: string, unused: readonly string[], options: TtaErrorOptions = {}) {
    super(`${unused.length} recording(s) of test set "${testSet}" were never used: ${unused.join(', ')}`, 'UNUSED_MOCKS', options);
    this.unused = unused;
  }

  /** True when `error` is an UnusedMocksError, from any copy of the package. */
  static override isInstance(error: unknown): error is UnusedMocksError {
    return hasMarkerOf(error, marker);
  }
}
