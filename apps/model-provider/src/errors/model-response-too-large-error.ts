import { TtaError } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta-apps/model-provider.ModelResponseTooLargeError');

/**
 * The model endpoint sent (or announced) a response body larger than the provider's
 * `maxResponseBytes`; the rest was not read. A runaway or hostile endpoint: not worth retrying.
 */
export class ModelResponseTooLargeError extends TtaError {
  private readonly [marker] = true;
  /** The cap that was exceeded, in bytes. */
  readonly limitBytes: number;
  /** Retrying the same endpoint would stream the same body again. */
  override readonly retryable: boolean = false;

  constructor(limitBytes: number, message = `the model response is larger than ${limitBytes} bytes`) {
    super(message, 'MODEL_RESPONSE_TOO_LARGE');
    this.limitBytes = limitBytes;
  }

  /** True when `error` is a ModelResponseTooLargeError, from any copy of the package. */
  static override isInstance(error: unknown): error is ModelResponseTooLargeError {
    return hasBrand(error, marker);
  }
}
