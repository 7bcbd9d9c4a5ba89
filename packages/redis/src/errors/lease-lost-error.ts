import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/redis.LeaseLostError');

/**
 * The reason `RedisLease.runExclusive` aborts its callback's signal with when the lease could not
 * be extended (someone else holds it, or the extension failed), or when its expiry passed without a
 * confirmed extension (a stalled connection, a paused process): another process may hold it now.
 */
export class LeaseLostError extends TtaError<'LEASE_LOST'> {
  private readonly [marker] = true;
  /** The work can run again under a new lease. */
  override readonly retryable: boolean = true;
  /** The leased resource (without the key prefix). */
  readonly resource: string;

  constructor(resource: string, options: TtaErrorOptions = {}) {
    super(`Lease "${resource}" was lost before the work finished`, 'LEASE_LOST', options);
    this.resource = resource;
  }

  /** True when `error` is a LeaseLostError, from any copy of the package. */
  static override isInstance(error: unknown): error is LeaseLostError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
