import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

/** The bucket array, read and seeded directly: 2^32 real recordings would take minutes. */
const bucketsOf = (histogram: LatencyHistogram): { [index: number]: number; readonly length: number } =>
  (histogram as unknown as { buckets: { [index: number]: number; readonly length: number } }).buckets;

/** Puts `total` recordings of `durationMs` into the histogram without recording them one by one. */
function seed(histogram: LatencyHistogram, durationMs: number, total: number): number {
  histogram.record(durationMs);
  const buckets = bucketsOf(histogram);
  let index = 0;
  while (index < buckets.length && buckets[index] === 0) index++;
  buckets[index] = total;
  histogram.count += total - 1;
  histogram.sumMs += durationMs * (total - 1);
  return index;
}

describe('LatencyHistogram', () => {
  it('keeps a bucket count exact past 2^32 recordings, so percentiles stay right', () => {
    const histogram = new LatencyHistogram();
    const index = seed(histogram, 1, 2 ** 32 - 1);
    histogram.record(1);
    histogram.record(1);
    histogram.record(1_000);
    expect(bucketsOf(histogram)[index]).toBe(2 ** 32 + 1);
    expect(histogram.count).toBe(2 ** 32 + 2);
    // Almost every recording took 1 ms: p50 and p99 are 1 ms, not the single 1 s outlier.
    expect(Math.abs(histogram.percentile(0.5) - 1)).toBeLessThan(0.03);
    expect(Math.abs(histogram.percentile(0.99) - 1)).toBeLessThan(0.03);
    expect(Math.abs(histogram.percentile(1) - 1_000) / 1_000).toBeLessThan(0.03);
  });

  it('counts up to 2^53 without losing a recording', () => {
    const histogram = new LatencyHistogram();
    const index = seed(histogram, 5, 2 ** 53 - 2);
    histogram.record(5);
    expect(bucketsOf(histogram)[index]).toBe(2 ** 53 - 1);
  });

  it('forgets every count on reset', () => {
    const histogram = new LatencyHistogram();
    seed(histogram, 1, 2 ** 40);
    histogram.reset();
    histogram.record(10);
    expect(histogram.count).toBe(1);
    expect(Math.abs(histogram.percentile(0.5) - 10) / 10).toBeLessThan(0.03);
  });
});
