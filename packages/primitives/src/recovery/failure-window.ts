import type { CircuitWindowBucket } from './circuit-state-store.js';

const bucketCount = 10;

/**
 * @internal Calls and failures over a sliding window, kept in ten slices so that recording is
 * O(1) amortised and the memory is bounded whatever the call rate. The window slides one slice at
 * a time, so a result leaves it between `windowMs` and `windowMs × 1.1` after it was recorded.
 */
export class FailureWindow {
  private readonly bucketMs: number;
  private slices: { startMs: number; calls: number; failures: number }[] = [];
  private calls = 0;
  private failures = 0;

  constructor(private readonly windowMs: number) {
    this.bucketMs = windowMs / bucketCount;
  }

  /** Records one result at `nowMs`; returns the totals within the window. */
  record(nowMs: number, failed: boolean): { readonly calls: number; readonly failures: number } {
    this.expire(nowMs);
    const startMs = Math.floor(nowMs / this.bucketMs) * this.bucketMs;
    let last = this.slices.at(-1);
    if (last === undefined || last.startMs !== startMs) {
      last = { startMs, calls: 0, failures: 0 };
      this.slices.push(last);
    }
    last.calls++;
    this.calls++;
    if (failed) {
      last.failures++;
      this.failures++;
    }
    return { calls: this.calls, failures: this.failures };
  }

  /** Forgets everything. */
  clear(): void {
    this.slices = [];
    this.calls = 0;
    this.failures = 0;
  }

  /** The slices, oldest first (for a snapshot). */
  buckets(): CircuitWindowBucket[] {
    return this.slices.map((slice) => ({ ...slice }));
  }

  /** Replaces the content with saved slices. */
  load(buckets: readonly CircuitWindowBucket[]): void {
    this.clear();
    for (const bucket of Array.isArray(buckets) ? buckets : []) {
      if (!(Number.isFinite(bucket.startMs) && bucket.calls >= 0 && bucket.failures >= 0 && bucket.failures <= bucket.calls)) continue;
      this.slices.push({ startMs: bucket.startMs, calls: bucket.calls, failures: bucket.failures });
      this.calls += bucket.calls;
      this.failures += bucket.failures;
    }
  }

  private expire(nowMs: number): void {
    const oldestKept = nowMs - this.windowMs;
    let drop = 0;
    while (drop < this.slices.length && this.slices[drop]!.startMs + this.bucketMs <= oldestKept) {
      this.calls -= this.slices[drop]!.calls;
      this.failures -= this.slices[drop]!.failures;
      drop++;
    }
    if (drop > 0) this.slices.splice(0, drop);
  }
}
