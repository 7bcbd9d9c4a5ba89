import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.NoTestCasesError');

/**
 * Thrown when a run finds no test case to replay (none at all, none of those asked for, or only test cases
 * that are not HTTP): a run that checks nothing must not pass. The message names the folder searched and
 * the test sets it held.
 */
export class NoTestCasesError extends TtaError<'NO_TEST_CASES'> {
  private readonly [marker] = true;
  /** The Keploy folder searched. */
  readonly dir: string;
  /** The test sets read (possibly none). */
  readonly testSets: readonly string[];
  /** The same folder holds the same files. */
  override readonly retryable: boolean = false;

  constructor(dir: string, testSets: readonly string[], options: TtaErrorOptions = {}) {
    super(
      `No test cases found in ${dir} (test sets read: ${testSets.join(', ') || 'none'}); ` +
        'point --dir at the keploy folder or at the app folder that holds it',
      'NO_TEST_CASES',
      options,
    );
    this.dir = dir;
    this.testSets = testSets;
  }

  /** True when `error` is a NoTestCasesError, from any copy of the package. */
  static override isInstance(error: unknown): error is NoTestCasesError {
    return hasMarkerOf(error, marker);
  }
}
