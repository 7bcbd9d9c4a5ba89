import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExecutionInfo, ExecutionResult, Instrumentation, PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ExecutionHistogram, ExecutionSeries, durationBucketsSeconds } from './execution-histogram.js';
import { LabelGuard } from './label-guard.js';
import type { LlmUsageSink } from './observability-state.js';

/** Options of {@link PrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /**
   * The registry the metrics are registered in.
   * @default a new Registry of its own (never prom-client's global one)
   */
  readonly registry?: Registry;
  /**
   * Most distinct primitive names used as label values; later names become `other`.
   * @default 100
   */
  readonly maxPrimitiveLabels?: number;
  /**
   * Also collect prom-client's default process metrics.
   * @default false
   */
  readonly defaultMetrics?: boolean;
}

/** Values of `tta_circuit_breaker_state`: the higher, the less traffic passes. */
export const circuitStateValues = { closed: 0, 'half-open': 1, open: 2 } as const;

const circuitTransitions: Readonly<Record<'circuit-reset' | 'circuit-half-open' | 'circuit-break', number>> = {
  'circuit-reset': circuitStateValues.closed,
  'circuit-half-open': circuitStateValues['half-open'],
  'circuit-break': circuitStateValues.open,
};
const cacheResults: Readonly<Record<'cache-hit' | 'cache-miss' | 'cache-stale', string>> = { 'cache-hit': 'hit', 'cache-miss': 'miss', 'cache-stale': 'stale' };

/**
 * The toolkit's Prometheus metrics on a prom-client registry of their own, fed by an
 * {@link Instrumentation}: executions by outcome, durations, retries, cache results, breaker state,
 * LLM tokens and cost. Label values are bounded (see `LabelGuard`).
 */
export class PrometheusMetrics implements LlmUsageSink {
  /** The registry every metric of this instance is registered in. */
  readonly registry: Registry;
  /** Register this with `registerInstrumentation` (initializeObservability does). */
  readonly instrumentation: Instrumentation;
  private readonly primitives: LabelGuard;
  private readonly kinds = new LabelGuard(50);
  private readonly models = new LabelGuard(50);
  private readonly series = new Map<string, ExecutionSeries>();
  private readonly overflow = new Map<string, ExecutionSeries>();
  private readonly retries: Counter<'primitive'>;
  private readonly cacheRequests: Counter<'primitive' | 'result'>;
  private readonly circuitState: Gauge<'primitive'>;
  private readonly llmTokens: Counter<'model' | 'type'>;
  private readonly llmCost: Counter<'model'>;

  constructor(options: PrometheusMetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    this.primitives = new LabelGuard(options.maxPrimitiveLabels ?? 100);
    const allSeries = (): Iterable<ExecutionSeries> => [...this.series.values(), ...this.overflow.values()];
    new Counter({
      name: 'tta_primitive_executions_total',
      help: 'Primitive executions by outcome.',
      labelNames: ['primitive', 'kind', 'status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const series of allSeries()) {
          this.inc({ primitive: series.primitive, kind: series.kind, status: 'success' }, series.successes);
          this.inc({ primitive: series.primitive, kind: series.kind, status: 'failure' }, series.failures);
        }
      },
    });
    new ExecutionHistogram('tta_primitive_duration_seconds', 'Primitive execution time in seconds.', registry, allSeries);
    this.retries = new Counter({ name: 'tta_retry_attempts_total', help: 'Retries scheduled after a failed attempt.', labelNames: ['primitive'], registers: [registry] });
    this.cacheRequests = new Counter({
      name: 'tta_cache_requests_total',
      help: 'Cache lookups by result (hit, miss, stale).',
      labelNames: ['primitive', 'result'],
      registers: [registry],
    });
    this.circuitState = new Gauge({
      name: 'tta_circuit_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.',
      labelNames: ['primitive'],
      registers: [registry],
    });
    this.llmTokens = new Counter({ name: 'tta_llm_tokens_total', help: 'LLM tokens by type (input, output).', labelNames: ['model', 'type'], registers: [registry] });
    this.llmCost = new Counter({ name: 'tta_llm_cost_usd_total', help: 'LLM cost in US dollars.', labelNames: ['model'], registers: [registry] });
    if (options.defaultMetrics) collectDefaultMetrics({ register: registry });

    this.instrumentation = {
      onEnd: (execution: ExecutionInfo, result: ExecutionResult) => {
        this.seriesFor(execution.name, execution.kind).record(result.status === 'success', result.durationMs / 1000);
      },
      onEvent: (event: PrimitiveEvent, source: { readonly name: string; readonly kind: string }) => this.recordEvent(event, source.name),
    };
  }

  /** Bucket bounds of the duration histogram, in seconds. */
  static readonly durationBuckets = durationBucketsSeconds;

  /** The Prometheus text exposition of every metric of the registry. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** Adds LLM token usage and cost to `tta_llm_tokens_total` / `tta_llm_cost_usd_total`. */
  recordLlmUsage(model: string, inputTokens: number | undefined, outputTokens: number | undefined, costUsd: number | undefined): void {
    const label = this.models.label(model);
    if (validAmount(inputTokens)) this.llmTokens.inc({ model: label, type: 'input' }, inputTokens);
    if (validAmount(outputTokens)) this.llmTokens.inc({ model: label, type: 'output' }, outputTokens);
    if (validAmount(costUsd)) this.llmCost.inc({ model: label }, costUsd);
  }

  private seriesFor(name: string, kind: string): ExecutionSeries {
    const known = this.series.get(name);
    if (known !== undefined && known.kind === kind) return known;
    return this.slowSeriesFor(name, kind);
  }

  private slowSeriesFor(name: string, kind: string): ExecutionSeries {
    const primitive = this.primitives.label(name);
    const kindLabel = this.kinds.label(kind);
    const key = `${primitive}\u0000${kindLabel}`;
    let series = this.overflow.get(key);
    if (series === undefined) {
      series = new ExecutionSeries(primitive, kindLabel, durationBucketsSeconds);
      this.overflow.set(key, series);
    }
    // Only accepted names get a fast entry, so refused (unbounded) names never grow the map. The
    // key is the guard's copy, not `name`, which may be a view into a much larger string.
    if (primitive === name && kindLabel === kind && !this.series.has(name)) {
      this.overflow.delete(key);
      this.series.set(primitive, series);
    }
    return series;
  }

  private recordEvent(event: PrimitiveEvent, name: string): void {
    switch (event.type) {
      case 'retry':
        this.retries.inc({ primitive: this.primitives.label(name) });
        return;
      case 'cache-hit':
      case 'cache-miss':
      case 'cache-stale':
        this.cacheRequests.inc({ primitive: this.primitives.label(name), result: cacheResults[event.type] });
        return;
      case 'circuit-reset':
      case 'circuit-half-open':
      case 'circuit-break':
        this.circuitState.set({ primitive: this.primitives.label(name) }, circuitTransitions[event.type]);
        return;
      case 'usage':
        // Every model call reported with context.reportUsage (modelStep, streamStep, llmStep).
        this.recordLlmUsage(event.model, event.inputTokens, event.outputTokens, event.costUsd);
        return;
      default:
        // Other events have no Prometheus series; spans carry them.
        return;
    }
  }
}

const validAmount = (value: number | undefined): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;
