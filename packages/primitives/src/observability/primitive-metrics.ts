import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LatencyHistogram } from './latency-histogram.js';
import { boundedMetricName, detachedCopy, maxMetricNameLength } from './bounded-name.js';

/** Snapshot of one primitive name's metrics. Durations in milliseconds. */
export interface PrimitiveMetricsEntry {
  readonly kind: string;
  readonly count: number;
  readonly successes: number;
  readonly failures: number;
  readonly successRate: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/** @internal The live counters of one primitive name; primitives keep a reference to theirs. */
export class MetricRecord {
  successes = 0;
  failures = 0;
  readonly latency = new LatencyHistogram();
  constructor(
    readonly name: string,
    readonly kind: string,
  ) {}

  success(durationMs: number): void {
    this.successes++;
    this.latency.record(durationMs);
  }

  failure(durationMs: number): void {
    this.failures++;
    this.latency.record(durationMs);
  }

  reset(): void {
    this.successes = 0;
    this.failures = 0;
    this.latency.reset();
  }

  toEntry(): PrimitiveMetricsEntry {
    const latency = this.latency;
    const count = this.successes + this.failures;
    return {
      kind: this.kind,
      count,
      successes: this.successes,
      failures: this.failures,
      successRate: count === 0 ? 0 : this.successes / count,
      totalMs: latency.sumMs,
      meanMs: count === 0 ? 0 : latency.sumMs / count,
      minMs: count === 0 ? 0 : latency.minMs,
      maxMs: latency.maxMs,
      p50Ms: latency.percentile(0.5),
      p90Ms: latency.percentile(0.9),
      p95Ms: latency.percentile(0.95),
      p99Ms: latency.percentile(0.99),
    };
  }
}

// Reading the `performance` global goes through an accessor on Node; a cached reference does not.
const performanceReference = globalThis.performance;
const systemNow = (): number => performanceReference.now();

// Completions that settle in the same microtask wave (the branches of a fan-out) share one clock
// read: the first reads the clock and queues a microtask that forgets the reading. A reaction that
// reuses the reading was queued before that microtask, so its promise had settled by then.
let waveTime = -1;
const endWave = (): void => {
  waveTime = -1;
};
const systemWaveNow = (): number => {
  if (waveTime < 0) {
    waveTime = performanceReference.now();
    queueMicrotask(endWave);
  }
  return waveTime;
};

/** Options of {@link PrimitiveMetrics.configure}. */
export interface PrimitiveMetricsOptions {
  /** Turn recording on or off. @default true */
  readonly enabled?: boolean;
  /**
   * Most distinct primitive names kept; executions of later names are counted under `'(other)'`
   * (a guard against names built from request data). Names longer than 200 characters are kept
   * as their first 190 characters, `…` and a hash of the whole name, so each entry stays small.
   * @default 1000
   */
  readonly maxNames?: number;
  /** Clock used to time executions (a `ManualClock` in tests). @default systemClock */
  readonly clock?: Clock;
}

/**
 * Built-in, dependency-free metrics: per primitive name, counts by outcome and a latency histogram
 * with percentiles. On by default and cheap enough to leave on (one clock read per step boundary,
 * no allocation per call). Read it with `metrics.snapshot()`.
 *
 * @example
 * await workflow.execute(context, input);
 * console.log(metrics.snapshot()['summarise']?.p95Ms);
 */
const overflowName = '(other)';

export class PrimitiveMetrics {
  /** True while executions are recorded. */
  enabled = true;
  /**
   * @internal Reads the time for durations (only differences are used). With the system clock it
   * calls `performance.now()` on a cached reference, which is cheaper than going through the clock.
   */
  _now: () => number = systemNow;
  /**
   * @internal Like `_now`, for the end of an execution that may complete together with others: with
   * the system clock, completions in the same microtask wave share one reading.
   */
  _completionNow: () => number = systemWaveNow;
  private currentClock: Clock = systemClock;
  private readonly records = new Map<string, MetricRecord>();
  /** Most distinct primitive names kept; later names are counted under `'(other)'`. */
  maxNames = 1_000;

  constructor(options: PrimitiveMetricsOptions = {}) {
    this.configure(options);
  }

  /** Clock used to time executions. */
  get clock(): Clock {
    return this.currentClock;
  }

  set clock(clock: Clock) {
    this.currentClock = clock;
    this._now = clock === systemClock ? systemNow : () => clock.now();
    this._completionNow = clock === systemClock ? systemWaveNow : this._now;
  }

  /** Changes the clock or turns recording on/off. */
  configure(options: PrimitiveMetricsOptions): void {
    if (options.enabled !== undefined) this.enabled = options.enabled;
    if (options.clock !== undefined) this.clock = options.clock;
    if (options.maxNames !== undefined) {
      if (!(Number.isInteger(options.maxNames) && options.maxNames >= 1)) throw new InvalidOptionsError('PrimitiveMetrics', 'maxNames', `must be a positive integer (got ${describeValue(options.maxNames)})`);
      this.maxNames = options.maxNames;
    }
  }

  /** @internal The record for `name`, created on first use. */
  recordFor(name: string, kind: string): MetricRecord {
    // A long name is stored shortened, so it must be looked up shortened too.
    const key = name.length > maxMetricNameLength ? boundedMetricName(name) : name;
    let record = this.records.get(key);
    if (record === undefined) {
      // Names come from code, but a name built from request data would grow this map without end:
      // past `maxNames`, new names share one entry.
      if (this.records.size >= this.maxNames && key !== overflowName) return this.recordFor(overflowName, 'other');
      // Copies, so that the map never keeps alive a large string a name was cut from.
      const stored = key === name ? detachedCopy(key) : key;
      record = new MetricRecord(stored, boundedMetricName(kind));
      this.records.set(stored, record);
    }
    return record;
  }

  /** A plain object keyed by primitive name. Names never executed since the last reset are left out. */
  snapshot(): Record<string, PrimitiveMetricsEntry> {
    const result: Record<string, PrimitiveMetricsEntry> = {};
    for (const [name, record] of this.records) {
      if (record.successes + record.failures > 0) result[name] = record.toEntry();
    }
    return result;
  }

  /** Zeroes every counter (records stay attached to their primitives). */
  reset(): void {
    for (const record of this.records.values()) record.reset();
  }
}

/** The process-wide metrics every primitive records into. */
export const metrics = new PrimitiveMetrics();
