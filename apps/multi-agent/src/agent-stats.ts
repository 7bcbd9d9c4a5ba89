/** What one agent did during a run. */
export interface AgentSummary {
  readonly agent: string;
  readonly role: string;
  /** Model requests the agent made (answered from the cache or by a model). */
  readonly requests: number;
  /** Calls that reached a model (primary or backup), including failed ones. */
  readonly modelCalls: number;
  readonly retries: number;
  readonly fallbacks: number;
  readonly timeouts: number;
  readonly cacheHits: number;
  /** Model calls that failed (injected failures, timeouts). */
  readonly failedCalls: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly tokens: number;
  readonly costUsd: number;
}

/** Counts and latencies of one agent, filled in by the resilience wrappers around its model calls. */
export class AgentStats {
  requests = 0;
  modelCalls = 0;
  retries = 0;
  fallbacks = 0;
  timeouts = 0;
  cacheHits = 0;
  failedCalls = 0;
  tokens = 0;
  costUsd = 0;
  /** Latency of each request as the agent saw it (retries and waits included). */
  readonly latenciesMs: number[] = [];

  constructor(
    readonly agent: string,
    readonly role: string,
  ) {}

  /** Adds counts reported by another process (Redis mode). */
  merge(summary: AgentSummary, latenciesMs: readonly number[]): void {
    this.requests += summary.requests;
    this.modelCalls += summary.modelCalls;
    this.retries += summary.retries;
    this.fallbacks += summary.fallbacks;
    this.timeouts += summary.timeouts;
    this.cacheHits += summary.cacheHits;
    this.failedCalls += summary.failedCalls;
    this.tokens += summary.tokens;
    this.costUsd += summary.costUsd;
    this.latenciesMs.push(...latenciesMs);
  }

  summary(): AgentSummary {
    return {
      agent: this.agent,
      role: this.role,
      requests: this.requests,
      modelCalls: this.modelCalls,
      retries: this.retries,
      fallbacks: this.fallbacks,
      timeouts: this.timeouts,
      cacheHits: this.cacheHits,
      failedCalls: this.failedCalls,
      p50Ms: percentile(this.latenciesMs, 0.5),
      p95Ms: percentile(this.latenciesMs, 0.95),
      tokens: this.tokens,
      costUsd: this.costUsd,
    };
  }
}

/** Nearest-rank percentile of `values` (0 when empty). */
export function percentile(values: readonly number[], quantile: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((left, right) => left - right);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
  return sorted[rank]!;
}
