import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/models.ModelResponseError');

/**
 * The model answered with something that is not a usable answer: a body that is not a chat
 * completion, one larger than `maxResponseBytes`, or a broken stream. Not retryable.
 *
 * @example
 * ```ts
 * const error = new ModelResponseError('the answer has no choices[0].message.content');
 * ```
 */
export class ModelResponseError extends TtaError<'MODEL_RESPONSE_INVALID'> {
  private readonly [marker] = true;
  /** The `maxResponseBytes` the answer went past, when that is what was wrong with it. */
  readonly limitBytes: number | undefined;

  constructor(message = 'The model sent an invalid response', options: TtaErrorOptions & { readonly limitBytes?: number } = {}) {
    super(message, 'MODEL_RESPONSE_INVALID', options.cause === undefined ? {} : { cause: options.cause });
    this.limitBytes = options.limitBytes;
  }

  /** True when `error` is a ModelResponseError, from any copy of the package. */
  static override isInstance(error: unknown): error is ModelResponseError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
