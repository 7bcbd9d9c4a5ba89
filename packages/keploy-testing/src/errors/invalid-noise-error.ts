import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.InvalidNoiseError');

/**
 * Thrown when a noise entry cannot be applied as written: its value is not a list (a single string would
 * otherwise be read as "ignore always"), or a pattern is not a regular expression that the linear-time RE2
 * engine runs (back-references, look-around...). A run refuses it rather than hide more than was meant.
 */
export class InvalidNoiseError extends TtaError<'INVALID_NOISE'> {
  private readonly [marker] = true;
  /** The file the noise was read from (a test case, `keploy.yml`), or the option that gave it. */
  readonly file: string;
  /** The noise key, e.g. `body.createdAt` or `test.globalNoise.global.header.Date`. */
  readonly key: string;
  /** The same entry fails the same way. */
  override readonly retryable: boolean = false;

  constructor(file: string, key: string, problem: string, options: TtaErrorOptions = {}) {
    super(`${file}: noise ${JSON.stringify(key)} ${problem}`, 'INVALID_NOISE', options);
    this.file = file;
    this.key = key;
  }

  /** True when `error` is an InvalidNoiseError, from any copy of the package. */
  static override isInstance(error: unknown): error is InvalidNoiseError {
    return hasMarkerOf(error, marker);
  }
}
