import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.InvalidOptionsError');

/** Thrown by a constructor when its options are invalid; the message names the option and the rule. */
export class InvalidOptionsError extends TtaError<'INVALID_OPTIONS'> {
  private readonly [marker] = true;
  /** A construction mistake: the same options fail the same way. */
  override readonly retryable: boolean = false;
  /** The primitive kind whose options were rejected. */
  readonly primitive: string;
  /** The offending option. */
  readonly option: string;

  constructor(primitive = 'primitive', option = 'options', rule = 'is invalid', options: TtaErrorOptions = {}) {
    super(`${primitive}: option "${option}" ${rule}`, 'INVALID_OPTIONS', options);
    this.primitive = primitive;
    this.option = option;
  }

  /** True when `error` is an InvalidOptionsError, from any copy of the package. */
  static override isInstance(error: unknown): error is InvalidOptionsError {
    return hasMarker(error, marker);
  }
}
