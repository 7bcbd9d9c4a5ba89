import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.KeployConfigError');

/** Thrown when `keploy.yml` cannot be read as Keploy reads it: invalid YAML, or a setting of the wrong type. */
export class KeployConfigError extends TtaError<'INVALID_KEPLOY_CONFIG'> {
  private readonly [marker] = true;
  /** The `keploy.yml` read. */
  readonly file: string;
  /** The setting at fault, e.g. `test.ignoreOrdering`; empty for a YAML syntax error. */
  readonly key: string;
  /** The same file fails the same way. */
  override readonly retryable: boolean = false;

  constructor(file: string, key: string, problem: string, options: TtaErrorOptions = {}) {
    super(`${file}: ${key === '' ? '' : `${key} `}${problem}`, 'INVALID_KEPLOY_CONFIG', options);
    this.file = file;
    this.key = key;
  }

  /** True when `error` is a KeployConfigError, from any copy of the package. */
  static override isInstance(error: unknown): error is KeployConfigError {
    return hasMarkerOf(error, marker);
  }
}
