import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.InvalidInputError');

/**
 * Thrown at execution when a primitive gets an input (or a user callback returns a value) it cannot
 * work with: a filter given something that is not an array, a cache key function that returns a
 * number. It is not retried by default (`retryable: false`).
 */
export class InvalidInputError extends TtaError<'INVALID_INPUT' | 'UNKEYABLE_INPUT'> {
  private readonly [marker] = true;
  /** The primitive that refused the input. */
  readonly primitive: string;
  /** Never worth retrying: the same input fails the same way. */
  override readonly retryable: boolean = false;

  constructor(primitive: string, problem: string, options: TtaErrorOptions = {}) {
    super(`${primitive}: ${problem}`, 'INVALID_INPUT', options);
    this.primitive = primitive;
  }

  /** True when `error` is an InvalidInputError, from any copy of the package. */
  static override isInstance(error: unknown): error is InvalidInputError {
    return hasMarker(error, marker);
  }
}
