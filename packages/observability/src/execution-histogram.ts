import { Histogram, type Registry } from 'prom-client';

/** Histogram buckets of `tta_primitive_duration_seconds`: from 1 ms to 80 s, to fit LLM calls. */
export const durationBucketsSeconds: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80];

/** The counts of one `{primitive, kind}` label pair. */
export class ExecutionSeries {
  successes = 0;
  failures = 0;
  sumSeconds = 0;
  /**
   * Per-bucket (not cumulative) counts; the last slot holds values above the largest bound.
   * Doubles, exact up to 2^53: a 32-bit counter wraps after ~18 days at 2,700 executions per
   * second, and Prometheus' `rate()` and `histogram_quantile` would read the wrap as a reset.
   */
  readonly bucketCounts: Float64Array;

  constructor(
    readonly primitive: string,
    readonly kind: string,
    private readonly bounds: readonly number[],
  ) {
    this.bucketCounts = new Float64Array(bounds.length + 1);
  }

  /** Records one execution: a counter increment and a bucket increment, no allocation. */
  record(success: boolean, seconds: number): void {
    if (success) this.successes++;
    else this.failures++;
    this.sumSeconds += seconds;
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && seconds > bounds[index]!) index++;
    this.bucketCounts[index]!++;
  }
}

interface HistogramValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/**
 * A prom-client `Histogram` whose values live in {@link ExecutionSeries} objects that the hot path
 * updates directly (a bucket increment, ~10 ns), instead of prom-client's per-call label hashing
 * (~500 ns). The exposition is computed at scrape time in prom-client's own format.
 */
export class ExecutionHistogram extends Histogram<'primitive' | 'kind'> {
  private readonly source: () => Iterable<ExecutionSeries>;
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(name: string, help: string, registry: Registry, source: () => Iterable<ExecutionSeries>) {
    super({ name, help, labelNames: ['primitive', 'kind'], buckets: [...durationBucketsSeconds], registers: [registry] });
    this.source = source;
    this.metricName = name;
    this.metricHelp = help;
  }

  private collectValues(): HistogramValue[] {
    const values: HistogramValue[] = [];
    const bucketName = `${this.metricName}_bucket`;
    for (const series of this.source()) {
      const labels = { primitive: series.primitive, kind: series.kind };
      let cumulative = 0;
      durationBucketsSeconds.forEach((bound, index) => {
        cumulative += series.bucketCounts[index]!;
        values.push({ value: cumulative, labels: { le: bound, ...labels }, metricName: bucketName });
      });
      const count = series.successes + series.failures;
      values.push({ value: count, labels: { le: '+Inf', ...labels }, metricName: bucketName });
      values.push({ value: series.sumSeconds, labels, metricName: `${this.metricName}_sum` });
      values.push({ value: count, labels, metricName: `${this.metricName}_count` });
    }
    return values;
  }

  /** What the registry serialises (prom-client calls this for the text format). */
  getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: HistogramValue[]; aggregator: 'sum' }> {
    return Promise.resolve({ name: this.metricName, help: this.metricHelp, type: 'histogram', values: this.collectValues(), aggregator: 'sum' });
  }

  override get(): ReturnType<Histogram<'primitive' | 'kind'>['get']> {
    return this.getForPromString() as unknown as ReturnType<Histogram<'primitive' | 'kind'>['get']>;
  }
}
