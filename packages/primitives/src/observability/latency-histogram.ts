const subBucketsPerDoubling = 16;
const bucketCount = 640;
const log2Scale = subBucketsPerDoubling;

/**
 * A fixed-size log-linear histogram of durations in milliseconds: 16 buckets per doubling from
 * 1 microsecond to beyond a day, so a percentile is within about 2.2 % of the true value and
 * recording costs no allocation. Buckets are doubles, exact up to 2^53 counts: a 32-bit counter
 * would wrap after about 18 days at 2,700 executions per second and corrupt every percentile.
 */
export class LatencyHistogram {
  private readonly buckets = new Float64Array(bucketCount);
  count = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;

  record(durationMs: number): void {
    const value = durationMs > 0 ? durationMs : 0;
    this.count++;
    this.sumMs += value;
    if (value < this.minMs) this.minMs = value;
    if (value > this.maxMs) this.maxMs = value;
    const micros = value * 1000;
    let index = micros < 1 ? 0 : 1 + Math.floor(Math.log2(micros) * log2Scale);
    if (index >= bucketCount) index = bucketCount - 1;
    this.buckets[index]!++;
  }

  /** Nearest-rank percentile (`quantile` in [0, 1]), clamped to the observed min and max. */
  percentile(quantile: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(quantile * this.count));
    let seen = 0;
    for (let index = 0; index < bucketCount; index++) {
      seen += this.buckets[index]!;
      if (seen >= rank) return this.clamp(bucketMidpointMs(index));
    }
    return this.maxMs;
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.minMs = Infinity;
    this.maxMs = 0;
  }

  private clamp(value: number): number {
    return Math.min(this.maxMs, Math.max(this.minMs, value));
  }
}

function bucketMidpointMs(index: number): number {
  if (index === 0) return 0;
  const lower = 2 ** ((index - 1) / log2Scale);
  const upper = 2 ** (index / log2Scale);
  return Math.sqrt(lower * upper) / 1000;
}
