import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.NonSerializableOutputError');

/**
 * Thrown when a step's output (or a run's input) would not come back the same from the journal's
 * JSON: a `Date`, `BigInt`, `Map`, `Set`, a class instance, a function, a cycle. The message names
 * the step path and the offending value's place in it.
 */
export class NonSerializableOutputError extends TtaError<'NON_SERIALIZABLE_OUTPUT'> {
  private readonly [marker] = true;
  /** The same output fails the same way. */
  override readonly retryable: boolean = false;
  /** The step path whose output was refused. */
  readonly path: string;

  constructor(path: string, problem: string, options: TtaErrorOptions = {}) {
    super(`The output of step "${path}" cannot be journaled: ${problem}`, 'NON_SERIALIZABLE_OUTPUT', options);
    this.path = path;
  }

  /** True when `error` is a NonSerializableOutputError, from any copy of the package. */
  static override isInstance(error: unknown): error is NonSerializableOutputError {
    return hasBrand(error, marker);
  }
}
