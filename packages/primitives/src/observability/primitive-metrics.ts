import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { requireInteger } from '../core/options.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LatencyHistogram } from './latency-histogram.js';
import { boundedMetricName, detachedCopy, maxMetricNameLength } from './bounded-name.js';
import { redactText } from '../logging/redact.js';

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

/**
 * Executions of a name (since the last reset) that are all timed before latency sampling starts: a
 * primitive run a few hundred times, as in a test or a batch job, gets exact figures.
 */
export const exactLatencyExecutions = 1_024;

/** @internal The live counters of one primitive name; primitives keep a reference to theirs. */
export class MetricRecord {
  successes = 0;
  failures = 0;
  readonly latency = new LatencyHistogram();
  /** Executions still to pass untimed before the next timed one (see {@link MetricRecord.timesNext}). */
  private untimedLeft = 0;
  /** Counts a success without timing it; returns the value so it can be a promise reaction. */
  readonly countSuccess = <TValue>(value: TValue): TValue => {
    this.successes++;
    return value;
  };
  /** Counts a failure without timing it; rethrows so it can be a promise reaction. */
  readonly countFailure = (error: unknown): never => {
    this.failures++;
    throw error;
  };

  constructor(
    readonly name: string,
    readonly kind: string,
    private readonly owner: { readonly latencySampleInterval: number } = { latencySampleInterval: 1 },
  ) {}

  /**
   * Decides, before an execution starts, whether it is timed. Every execution is counted, but
   * once a name is hot only one in `latencySampleInterval` (on average) reads the clock: two clock
   * reads cost more than a trivial step. The gaps are random, so a periodic workload cannot line
   * up with them, and the choice never depends on the execution's own duration: the timed ones are
   * an unbiased sample.
   */
  timesNext(): boolean {
    if (this.untimedLeft !== 0) {
      this.untimedLeft--;
      return false;
    }
    const interval = this.owner.latencySampleInterval;
    if (interval > 1 && this.successes + this.failures >= exactLatencyExecutions) this.untimedLeft = randomGap(interval);
    return true;
  }

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
    this.untimedLeft = 0;
    this.latency.reset();
  }

  /** Forgets the gap drawn with the previous sampling interval, so a new one applies at once. */
  resample(): void {
    this.untimedLeft = 0;
  }

  toEntry(): PrimitiveMetricsEntry {
    const latency = this.latency;
    const count = this.successes + this.failures;
    const timed = latency.count;
    const meanMs = timed === 0 ? 0 : latency.sumMs / timed;
    return {
      kind: this.kind,
      count,
      successes: this.successes,
      failures: this.failures,
      successRate: count === 0 ? 0 : this.successes / count,
      // Exact while every execution is timed; an estimate from the sample's mean once sampled.
      totalMs: timed >= count ? latency.sumMs : meanMs * count,
      meanMs,
      minMs: timed === 0 ? 0 : latency.minMs,
      maxMs: latency.maxMs,
      p50Ms: latency.percentile(0.5),
      p90Ms: latency.percentile(0.9),
      p95Ms: latency.percentile(0.95),
      p99Ms: latency.percentile(0.99),
    };
  }
}

// xorshift32: the sampling gaps need to be irregular, not unpredictable, and `Math.random` costs
// several times more. A fixed seed keeps runs reproducible.
let randomState = 0x2545f491;

/** A uniform whole number in [0, 2 * (interval - 1)]: on average `interval - 1` untimed executions. */
function randomGap(interval: number): number {
  let state = randomState;
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  randomState = state;
  return (state >>> 0) % (2 * interval - 1);
}

// Reading the `performance` global goes through an accessor on Node; a cached reference does not.
const performanceReference = globalThis.performance;
const systemNow = (): number => performanceReference.now();

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
  /**
   * Once a name has been executed 1,024 times since the last reset, only one execution in this
   * many (on average, at random) is timed; every execution is still counted. `1` times every
   * execution. See the README for what sampling does to the percentiles.
   * @default 16
   */
  readonly latencySampleInterval?: number;
}

const overflowName = '(other)';

/**
 * Built-in, dependency-free metrics: per primitive name, counts by outcome and a latency histogram
 * with percentiles. On by default and cheap enough to leave on: every execution is counted, and
 * once a name is hot its latency is sampled (see `latencySampleInterval`), so most executions read
 * no clock and allocate nothing beyond one promise reaction. Read it with `metrics.snapshot()`.
 *
 * @example
 * ```ts
 * await workflow.execute(context, input);
 * console.log(metrics.snapshot()['summarise']?.p95Ms);
 * ```
 */
export class PrimitiveMetrics {
  /** True while executions are recorded. */
  enabled = true;
  /**
   * @internal Reads the time for durations (only differences are used). With the system clock it
   * calls `performance.now()` on a cached reference, which is cheaper than going through the clock.
   */
  _now: () => number = systemNow;
  private currentClock: Clock = systemClock;
  private readonly records = new Map<string, MetricRecord>();
  /** Most distinct primitive names kept; later names are counted under `'(other)'`. */
  maxNames = 1_000;
  /** Once a name is hot, one execution in this many (on average) is timed; `1` times all. */
  latencySampleInterval = 16;

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
  }

  /** Changes the clock or turns recording on/off. */
  configure(options: PrimitiveMetricsOptions): void {
    if (options.enabled !== undefined) this.enabled = options.enabled;
    if (options.clock !== undefined) this.clock = options.clock;
    if (options.maxNames !== undefined) {
      requireInteger('PrimitiveMetrics', 'maxNames', options.maxNames, { min: 1 });
      this.maxNames = options.maxNames;
    }
    if (options.latencySampleInterval !== undefined) {
      const interval = options.latencySampleInterval;
      if (!(Number.isInteger(interval) && interval >= 1 && interval <= 1_000_000)) {
        throw new InvalidOptionsError('PrimitiveMetrics', 'latencySampleInterval', `must be an integer from 1 to 1,000,000 (got ${describeValue(interval)})`);
      }
      this.latencySampleInterval = interval;
      for (const record of this.records.values()) record.resample();
    }
  }

  /** @internal The record for `name`, created on first use. */
  recordFor(name: string, kind: string): MetricRecord {
    // Snapshot keys are labels that dashboards and logs show: a name carrying a credential (a step
    // named after request data) is stored redacted, before any shortening so a cut cannot hide half
    // of one. Once per primitive (the record is cached on it), never per call.
    const safe = redactText(name);
    // A long name is stored shortened, so it must be looked up shortened too.
    const key = safe.length > maxMetricNameLength ? boundedMetricName(safe) : safe;
    let record = this.records.get(key);
    if (record === undefined) {
      // Names come from code, but a name built from request data would grow this map without end:
      // past `maxNames`, new names share one entry.
      if (this.records.size >= this.maxNames && key !== overflowName) return this.recordFor(overflowName, 'other');
      // Copies, so that the map never keeps alive a large string a name was cut from.
      const stored = key === name ? detachedCopy(key) : key;
      record = new MetricRecord(stored, boundedMetricName(kind), this);
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

/**
 * The process-wide metrics every primitive records into. Shared through a `Symbol.for` global, so
 * primitives of a second installed copy of this package record into the same table.
 */
export const metrics: PrimitiveMetrics = ((globalThis as Record<symbol, unknown>)[Symbol.for('@tta/primitives.metrics')] ??=
  new PrimitiveMetrics()) as PrimitiveMetrics;
