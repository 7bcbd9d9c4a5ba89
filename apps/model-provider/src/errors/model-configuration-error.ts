import { TtaError } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta-apps/model-provider.ModelConfigurationError');

/**
 * The model cannot be used as configured: a missing or rejected API key, a malformed base URL.
 * The message is one line and names the environment variable to set. Never worth retrying.
 */
export class ModelConfigurationError extends TtaError {
  private readonly [marker] = true;
  /** The environment variable that fixes the problem, for example `OPENAI_API_KEY`. */
  readonly variable: string;
  /** Retrying cannot help: `retry` primitives skip errors with `retryable: false`. */
  override readonly retryable: boolean = false;

  constructor(variable: string, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, 'MODEL_CONFIGURATION', options);
    this.variable = variable;
  }

  /** True when `error` is a ModelConfigurationError, from any copy of the package. */
  static override isInstance(error: unknown): error is ModelConfigurationError {
    return hasBrand(error, marker);
  }
}
