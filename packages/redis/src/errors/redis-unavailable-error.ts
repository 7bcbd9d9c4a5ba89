import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { redactText } from '@tta/primitives/logging';

const marker = Symbol.for('@tta/redis.RedisUnavailableError');

/** Options of {@link RedisUnavailableError}. */
export interface RedisUnavailableErrorOptions extends TtaErrorOptions {
  /** Whether the command may have run on the server. @default true unless the cause is a Redis `ReplyError` */
  readonly maybeApplied?: boolean;
  /** The id a retry must use so that it cannot apply the operation twice. */
  readonly retryKey?: string;
}

/**
 * Thrown when Redis cannot be reached in time: the connection is down or refused, a command
 * timed out, or the client gave up reconnecting for it. The command may or may not have run
 * on the server (a timeout does not say), so retry only idempotent operations blindly:
 * {@link RedisUnavailableError.maybeApplied} says whether it may have run, and
 * {@link RedisUnavailableError.retryKey} (when set) is the id that makes a retry a no-op if it did.
 * `cause` keeps the client's own error.
 */
export class RedisUnavailableError extends TtaError<'REDIS_UNAVAILABLE'> {
  private readonly [marker] = true;
  /** What was being done, for example `'RedisCacheStore.get'`. */
  readonly operation: string;
  /** Retrying is reasonable: the server may come back. */
  override readonly retryable: boolean = true;
  /**
   * The operation may have been applied on the server: the command was sent but its reply never
   * came (a timeout, a connection lost mid-call). `false` only when Redis refused it before
   * running it (`BUSY`, `LOADING`, `READONLY`...). Retry such an operation only with its id
   * ({@link retryKey}, a message `id`, a `jobId`) so that a retry cannot apply it twice.
   */
  readonly maybeApplied: boolean;
  /** The id to retry with so that the retry is a no-op when the failed call was applied (for example the `jobId` of `enqueueWorkflow`). */
  readonly retryKey: string | undefined;

  constructor(operation: string, options: RedisUnavailableErrorOptions = {}) {
    // The client's message may quote a connection URL with its password: redact what is quoted.
    const reason = options.cause instanceof Error ? `: ${redactText(options.cause.message)}` : '';
    super(`Redis is unavailable (${operation})${reason}`, 'REDIS_UNAVAILABLE', options);
    this.operation = operation;
    // A reply from the server is a refusal: the command did not run. Anything else left the client unanswered.
    this.maybeApplied = options.maybeApplied ?? !(options.cause instanceof Error && options.cause.name === 'ReplyError');
    this.retryKey = options.retryKey;
  }

  /** True when `error` is a RedisUnavailableError, from any copy of the package. */
  static override isInstance(error: unknown): error is RedisUnavailableError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
