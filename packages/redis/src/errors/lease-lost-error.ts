import { TtaError } from '@tta/primitives';

const marker = Symbol.for('@tta/redis.LeaseLostError');

/**
 * The reason `RedisLease.runExclusive` aborts its callback's signal with when the lease could not
 * be extended (it expired, or Redis was unreachable for longer than the lease lasts).
 */
export class LeaseLostError extends TtaError {
  private readonly [marker] = true;
  /** The leased resource (without the key prefix). */
  readonly resource: string;

  constructor(resource: string, options: { readonly cause?: unknown } = {}) {
    super(`Lease "${resource}" was lost before the work finished`, 'LEASE_LOST', options);
    this.resource = resource;
  }

  /** True when `error` is a LeaseLostError, from any copy of the package. */
  static override isInstance(error: unknown): error is LeaseLostError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
