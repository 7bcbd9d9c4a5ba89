import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/models.ModelRequestError');

/** Facts of a failed model request. */
export interface ModelRequestErrorDetails extends TtaErrorOptions {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Whether another attempt may succeed (429, 5xx, network errors). */
  readonly retryable: boolean;
  /** How long the server asked to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
}

/**
 * A model request failed. HTTP 429 and 5xx (and an unreachable server) are `retryable`, with
 * `retryAfterMs` from the server's `Retry-After`, which `retry()` honours; other 4xx are not. The
 * message never contains the API key.
 *
 * @example
 * ```ts
 * const error = new ModelRequestError('rate limited', { status: 429, retryable: true, retryAfterMs: 2_000 });
 * ```
 */
export class ModelRequestError extends TtaError<'MODEL_REQUEST_FAILED'> {
  private readonly [marker] = true;
  override readonly retryable: boolean;
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** Milliseconds the server asked to wait before the next attempt, when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message = 'The model request failed', details: ModelRequestErrorDetails = { status: 0, retryable: true }) {
    super(message, 'MODEL_REQUEST_FAILED', details.cause === undefined ? {} : { cause: details.cause });
    this.status = details.status;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** True when `error` is a ModelRequestError, from any copy of the package. */
  static override isInstance(error: unknown): error is ModelRequestError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
