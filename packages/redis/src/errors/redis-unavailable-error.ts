import { TtaError, redactText } from '@tta/primitives';

const marker = Symbol.for('@tta/redis.RedisUnavailableError');

/**
 * Thrown when Redis cannot be reached in time: the connection is down or refused, a command
 * timed out, or the client gave up reconnecting for it. The command may or may not have run
 * on the server (a timeout does not say), so retry only idempotent operations blindly.
 * `cause` keeps the client's own error.
 */
export class RedisUnavailableError extends TtaError {
  private readonly [marker] = true;
  /** What was being done, for example `'RedisCacheStore.get'`. */
  readonly operation: string;
  /** Retrying is reasonable: the server may come back. */
  readonly retryable = true;

  constructor(operation: string, options: { readonly cause?: unknown } = {}) {
    // The client's message may quote a connection URL with its password: redact what is quoted.
    const reason = options.cause instanceof Error ? `: ${redactText(options.cause.message)}` : '';
    super(`Redis is unavailable (${operation})${reason}`, 'REDIS_UNAVAILABLE', options);
    this.operation = operation;
  }

  /** True when `error` is a RedisUnavailableError, from any copy of the package. */
  static override isInstance(error: unknown): error is RedisUnavailableError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
