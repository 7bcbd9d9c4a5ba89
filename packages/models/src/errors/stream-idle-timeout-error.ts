import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/models.StreamIdleTimeoutError');

/**
 * A streamed answer sent nothing for `idleTimeoutMs`: the stream step closed the request.
 * Retryable (a stalled connection is usually transient).
 *
 * @example
 * ```ts
 * const error = new StreamIdleTimeoutError(10_000);
 * ```
 */
export class StreamIdleTimeoutError extends TtaError<'STREAM_IDLE_TIMEOUT'> {
  private readonly [marker] = true;
  override readonly retryable: boolean = true;
  /** The idle time that passed without a chunk. */
  readonly idleTimeoutMs: number;

  constructor(idleTimeoutMs = 0, options: TtaErrorOptions = {}) {
    super(`The model stream sent nothing for ${idleTimeoutMs} ms`, 'STREAM_IDLE_TIMEOUT', options);
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /** True when `error` is a StreamIdleTimeoutError, from any copy of the package. */
  static override isInstance(error: unknown): error is StreamIdleTimeoutError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
