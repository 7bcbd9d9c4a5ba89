import { TtaError } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta-apps/model-provider.ModelRequestError');

/** Details of a failed model call. */
export interface ModelRequestErrorDetails {
  /** HTTP status (the simulated model uses 429 and 503 too). */
  readonly status: number;
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** How long the server asked to wait before the next attempt (from `retry-after`). */
  readonly retryAfterMs?: number;
  /** True when the failure was injected by the simulated model. */
  readonly simulated?: boolean;
  readonly cause?: unknown;
}

/**
 * A model call failed: rate limited, server error, network error. `retryable` and `retryAfterMs`
 * are read by `RetryPrimitive`, so a retry waits as long as the server asked.
 */
export class ModelRequestError extends TtaError {
  private readonly [marker] = true;
  readonly status: number;
  override readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly simulated: boolean;

  constructor(message: string, details: ModelRequestErrorDetails) {
    super(message, 'MODEL_REQUEST_FAILED', details.cause === undefined ? {} : { cause: details.cause });
    this.status = details.status;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.simulated = details.simulated ?? false;
  }

  /** True when `error` is a ModelRequestError, from any copy of the package. */
  static override isInstance(error: unknown): error is ModelRequestError {
    return hasBrand(error, marker);
  }
}
