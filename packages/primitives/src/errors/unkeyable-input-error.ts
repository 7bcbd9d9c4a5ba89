import { InvalidInputError } from './invalid-input-error.js';
import { hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.UnkeyableInputError');

/**
 * Thrown when the default cache key (`stableKey`) cannot tell an input apart from other inputs:
 * a class instance whose state may live in private fields, a unique symbol, a function, a cycle,
 * nesting deeper than the key walks, or a value that throws when read (a getter, a revoked proxy).
 * Giving such inputs one shared key would let a cache answer one input with another's output, so
 * the cache refuses them instead: give it a `key` function. It is an `InvalidInputError` (not
 * retried), with its own `code`.
 */
export class UnkeyableInputError extends InvalidInputError {
  private readonly [marker] = true;
  /** Stable, machine-readable identifier of the failure. */
  declare readonly code: 'UNKEYABLE_INPUT';
  /** Where in the input the unkeyable value is, such as `input.user.session` or `input[3]`. */
  readonly path: string;
  /** Why that value has no key. */
  readonly reason: string;

  constructor(primitive = 'cache', path = 'input', reason = 'the value has no inspectable content', options: TtaErrorOptions = {}) {
    super(primitive, `cannot make a key from ${path}: ${reason}; give the cache a \`key\` function`, options);
    // A subclass with a code of its own: `declare` above narrows the type, this sets the value.
    (this as { code: string }).code = 'UNKEYABLE_INPUT';
    this.path = path;
    this.reason = reason;
  }

  /** True when `error` is an UnkeyableInputError, from any copy of the package. */
  static override isInstance(error: unknown): error is UnkeyableInputError {
    return hasMarker(error, marker);
  }
}
