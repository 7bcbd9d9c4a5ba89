/** Answer of a {@link RateLimiter} to one request for permits. */
export interface RateLimitDecision {
  /** True when the permits were taken. */
  readonly granted: boolean;
  /**
   * When not granted: milliseconds until enough permits should be available (an estimate, since
   * other callers may take them first). `0` when granted.
   */
  readonly retryAfterMs: number;
}

/**
 * Decides whether a call may run now. `RateLimitPrimitive` uses the in-memory
 * {@link TokenBucketLimiter} by default; a shared limiter (for example a Redis one) lets several
 * processes share one budget.
 *
 * A limiter never waits: it answers at once, and the caller decides to wait `retryAfterMs` and ask
 * again, or to reject.
 */
export interface RateLimiter {
  /**
   * Takes `permits` from the budget of `key` when they are available (all or none).
   * @param key names the budget; calls with different keys do not affect each other.
   * @param permits how many permits the call needs, at least 1.
   */
  acquire(key: string, permits: number): Promise<RateLimitDecision>;
}
