import { assertDuration } from '../core/duration.js';
import { systemClock, type Clock, assertClock } from '../core/clock.js';
import { requireInteger, requireNumber, requireOptionsObject } from '../core/options.js';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

/** Options of {@link TokenBucketLimiter}. */
export interface TokenBucketLimiterOptions {
  /** Tokens added to each bucket per `intervalMs` (the sustained rate). */
  readonly tokensPerInterval: number;
  /** Length of the refill interval in milliseconds. */
  readonly intervalMs: number;
  /**
   * Capacity of a bucket: the most permits available at once after a quiet period. A new bucket
   * starts full.
   * @default tokensPerInterval
   */
  readonly burst?: number;
  /**
   * Most keys remembered at once; the least recently used bucket is forgotten beyond it (it starts
   * full again when its key comes back).
   * @default 10_000
   */
  readonly maxKeys?: number;
  /** Source of time. @default systemClock */
  readonly clock?: Clock;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const granted: RateLimitDecision = Object.freeze({ granted: true, retryAfterMs: 0 });

/**
 * The in-memory {@link RateLimiter}: one token bucket per key, refilled continuously at
 * `tokensPerInterval / intervalMs` tokens per millisecond up to `burst`.
 *
 * @example
 * ```ts
 * const limiter = new TokenBucketLimiter({ tokensPerInterval: 10, intervalMs: 1_000, burst: 20 });
 * const { granted, retryAfterMs } = await limiter.acquire('openai', 1);
 * ```
 */
export class TokenBucketLimiter implements RateLimiter {
  /** Tokens added per `intervalMs`. */
  readonly tokensPerInterval: number;
  /** Refill interval in milliseconds. */
  readonly intervalMs: number;
  /** Capacity of each bucket. */
  readonly burst: number;
  private readonly maxKeys: number;
  private readonly clock: Clock;
  private readonly tokensPerMs: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketLimiterOptions) {
    validateRate('TokenBucketLimiter', options);
    const burst = options.burst ?? options.tokensPerInterval;
    requireNumber('TokenBucketLimiter', 'burst', burst, { min: 1 });
    const maxKeys = options.maxKeys ?? 10_000;
    requireInteger('TokenBucketLimiter', 'maxKeys', maxKeys, { min: 1 });
    this.tokensPerInterval = options.tokensPerInterval;
    this.intervalMs = options.intervalMs;
    this.burst = burst;
    this.maxKeys = maxKeys;
    assertClock('TokenBucketLimiter', options.clock);
    this.clock = options.clock ?? systemClock;
    this.tokensPerMs = options.tokensPerInterval / options.intervalMs;
  }

  acquire(key: string, permits: number): Promise<RateLimitDecision> {
    return Promise.resolve(this.tryAcquire(key, permits));
  }

  /**
   * The synchronous form of {@link acquire}: `RateLimitPrimitive` calls it directly when it owns
   * an in-memory limiter, which saves a promise per call.
   * @param now the current time; `RateLimitPrimitive` passes its own clock's (or the context's).
   * @default now the limiter's clock
   */
  tryAcquire(key: string, permits: number, now: number = this.clock.now()): RateLimitDecision {
    if (permits > this.burst) return { granted: false, retryAfterMs: Infinity };
    const bucket = this.bucketAt(key, now);
    if (bucket.tokens >= permits) {
      bucket.tokens -= permits;
      return granted;
    }
    return { granted: false, retryAfterMs: Math.max(1, Math.ceil((permits - bucket.tokens) / this.tokensPerMs)) };
  }

  /**
   * @internal Reserves `permits` for a caller that is willing to wait: the bucket may go below zero,
   * which queues callers in arrival order, each sleeping once until its own permits are refilled.
   * Returns the wait in milliseconds, or `undefined` (nothing reserved) when the wait would exceed
   * `maxWaitMs` or the request can never fit.
   */
  reserve(key: string, permits: number, now: number, maxWaitMs: number): number | undefined {
    if (permits > this.burst) return undefined;
    const bucket = this.bucketAt(key, now);
    const deficit = permits - bucket.tokens;
    const waitMs = deficit <= 0 ? 0 : Math.ceil(deficit / this.tokensPerMs);
    if (waitMs > maxWaitMs) return undefined;
    bucket.tokens -= permits;
    return waitMs;
  }

  /** @internal Gives back permits reserved by a caller that left before its wait was over. */
  refund(key: string, permits: number): void {
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) bucket.tokens = Math.min(this.burst, bucket.tokens + permits);
  }

  private bucketAt(key: string, now: number): Bucket {
    const buckets = this.buckets;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, updatedAt: now };
      if (buckets.size >= this.maxKeys) buckets.delete(buckets.keys().next().value!);
      buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = now - bucket.updatedAt;
    if (elapsed > 0) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + elapsed * this.tokensPerMs);
      bucket.updatedAt = now;
    }
    if (buckets.size > 1) {
      // Keep Map order = recency, so the first key is the least recently used one.
      buckets.delete(key);
      buckets.set(key, bucket);
    }
    return bucket;
  }

  /** Tokens currently available for `key` (a new key has a full bucket). */
  available(key: string): number {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return this.burst;
    return Math.min(this.burst, bucket.tokens + Math.max(0, this.clock.now() - bucket.updatedAt) * this.tokensPerMs);
  }

  /** Forgets the bucket of `key`, or every bucket when no key is given. */
  reset(key?: string): void {
    if (key === undefined) this.buckets.clear();
    else this.buckets.delete(key);
  }
}

/** @internal Shared validation of `tokensPerInterval` and `intervalMs`. */
export function validateRate(owner: string, options: { readonly tokensPerInterval: number; readonly intervalMs: number } | undefined): void {
  requireOptionsObject(owner, options);
  const { tokensPerInterval, intervalMs } = options;
  requireNumber(owner, 'tokensPerInterval', tokensPerInterval, { exclusiveMin: true });
  assertDuration(owner, 'intervalMs', intervalMs, { positive: true });
}
