import { TtaError, type TtaErrorOptions } from '@tta/primitives';

const marker = Symbol.for('@tta/redis.LeaseTimeoutError');

/** Thrown by `RedisLease.acquire` when another holder keeps the lease for longer than `waitMs`. */
export class LeaseTimeoutError extends TtaError<'LEASE_TIMEOUT'> {
  private readonly [marker] = true;
  /** The holder releases the lease sooner or later. */
  override readonly retryable: boolean = true;
  /** The leased resource (without the key prefix). */
  readonly resource: string;
  /** How long the caller waited. */
  readonly waitMs: number;

  constructor(resource: string, waitMs: number, options: TtaErrorOptions = {}) {
    super(`Lease "${resource}" is held by someone else; gave up after ${waitMs} ms`, 'LEASE_TIMEOUT', options);
    this.resource = resource;
    this.waitMs = waitMs;
  }

  /** True when `error` is a LeaseTimeoutError, from any copy of the package. */
  static override isInstance(error: unknown): error is LeaseTimeoutError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
