import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.UnusedMocksError');

/** Thrown by `assertAllUsed()` when some HTTP recordings were never replayed; the message names them. */
export class UnusedMocksError extends TtaError {
  private readonly [marker] = true;
  /** Names of the unused mocks with their method and URL, e.g. `mock-3 (GET /users/1)`. */
  readonly unused: readonly string[];

  constructor(testSet: string, unused: readonly string[]) {
    super(`${unused.length} recording(s) of test set "${testSet}" were never used: ${unused.join(', ')}`, 'UNUSED_MOCKS');
    this.unused = unused;
  }

  /** True when `error` is an UnusedMocksError, from any copy of the package. */
  static override isInstance(error: unknown): error is UnusedMocksError {
    return hasMarkerOf(error, marker);
  }
}
