import type { CircuitWindowBucket } from './circuit-state-store.js';

const bucketCount = 10;

/**
 * @internal Calls and failures over a sliding window, kept in up to ten slices so that recording
 * is O(1) amortised and the memory is bounded whatever the call rate (Polly's rolling health
 * metrics work the same way). A slice starts with the first result recorded after the previous
 * slice is `windowMs / 10` old, and leaves the window once its start is `windowMs` old: a result
 * never counts once it is `windowMs` old, and always counts while younger than `windowMs × 0.9`.
 */
export class FailureWindow {
  private readonly bucketMs: number;
  private slices: { startMs: number; calls: number; failures: number }[] = [];
  private calls = 0;
  private failures = 0;

  constructor(readonly windowMs: number) {
    this.bucketMs = windowMs / bucketCount;
  }

  /** Records one result at `nowMs`; returns the totals within the window. */
  record(nowMs: number, failed: boolean): { readonly calls: number; readonly failures: number } {
    this.expire(nowMs);
    let last = this.slices.at(-1);
    if (last === undefined || nowMs - last.startMs >= this.bucketMs) {
      last = { startMs: nowMs, calls: 0, failures: 0 };
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
    let drop = 0;
    while (drop < this.slices.length && nowMs - this.slices[drop]!.startMs >= this.windowMs) {
      this.calls -= this.slices[drop]!.calls;
      this.failures -= this.slices[drop]!.failures;
      drop++;
    }
    if (drop > 0) this.slices.splice(0, drop);
  }
}
