import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.TestSetNotFoundError');

/** Thrown at start when replay (or a test run) names a test set folder that does not exist. */
export class TestSetNotFoundError extends TtaError<'TEST_SET_NOT_FOUND'> {
  private readonly [marker] = true;
  /** The same folder is searched again and the set is still missing. */
  override readonly retryable: boolean = false;
  /** The missing test set. */
  readonly testSet: string;
  /** The folder that was searched. */
  readonly dir: string;

  constructor(testSet: string, dir: string, available: readonly string[] = [], options: TtaErrorOptions = {}) {
    super(
      `Test set "${testSet}" not found in ${dir} (available: ${available.join(', ') || 'none'})`,
      'TEST_SET_NOT_FOUND',
      options,
    );
    this.testSet = testSet;
    this.dir = dir;
  }

  /** True when `error` is a TestSetNotFoundError, from any copy of the package. */
  static override isInstance(error: unknown): error is TestSetNotFoundError {
    return hasMarkerOf(error, marker);
  }
}
