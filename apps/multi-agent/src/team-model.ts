import { createHash } from 'node:crypto';
import { cache, fallback, retry, step, timeout, type CacheStore, type WorkflowContext, type WorkflowPrimitive } from '@tta/primitives';
import type { ModelProvider, ModelRequest, ModelResponse } from '@tta-apps/model-provider';
import { AgentStats } from './agent-stats.js';
import type { ProgressReporter } from './progress.js';

/** Options of {@link TeamModel}. */
export interface TeamModelOptions {
  /** The model asked first. */
  readonly primary: ModelProvider;
  /** The model asked when the primary fails or is too slow. */
  readonly backup: ModelProvider;
  /** Where answers are cached: in memory, or in Redis to share them across processes. */
  readonly cacheStore: CacheStore<ModelResponse>;
  readonly progress: ProgressReporter;
  /**
   * Time limit of one model call.
   * @default 400
   */
  readonly callTimeoutMs?: number;
  /**
   * Attempts of the primary-then-backup pair.
   * @default 6
   */
  readonly maxAttempts?: number;
}

// The calling agent travels in the context's data, so that events raised deep inside the shared
// pipeline (a retry, a fallback, a timeout) are counted for the agent that asked.
const CALLER = Symbol.for('@tta-apps/multi-agent.caller');

interface Caller {
  readonly stats: AgentStats;
  modelCalls: number;
}

function callerOf(context: WorkflowContext): Caller | undefined {
  return (context.data as Record<symbol, Caller | undefined>)[CALLER];
}

/**
 * The team's model access: one pipeline shared by every agent, so a question one agent asked is
 * answered from the cache for the others (concurrent identical questions share one call). From
 * the outside in: cache -> retry (backoff, honours retry-after) -> fallback (backup model) ->
 * timeout (per call). Every event is counted for the agent that asked and shown as progress.
 */
export class TeamModel {
  private readonly pipeline: WorkflowPrimitive<ModelRequest, ModelResponse>;
  private readonly stats = new Map<string, AgentStats>();
  private readonly progress: ProgressReporter;

  constructor(options: TeamModelOptions) {
    const progress = (this.progress = options.progress);
    const callTimeoutMs = options.callTimeoutMs ?? 400;
    const call = (label: 'primary' | 'backup', model: ModelProvider) => {
      const inner = step(`${label}-model`, async (request: ModelRequest, context: WorkflowContext) => {
        const caller = callerOf(context);
        if (caller !== undefined) {
          caller.modelCalls++;
          caller.stats.modelCalls++;
        }
        try {
          const response = await model.complete(request, { signal: context.signal });
          if (caller !== undefined) {
            caller.stats.tokens += response.usage.inputTokens + response.usage.outputTokens;
            caller.stats.costUsd += response.costUsd;
          }
          return response;
        } catch (error) {
          if (caller !== undefined) caller.stats.failedCalls++;
          throw error;
        }
      });
      const limited = timeout(inner, { name: `${label}-model.timeout`, timeoutMs: callTimeoutMs });
      limited.onTimeout((event) => {
        const caller = callerOf(event.context);
        if (caller !== undefined) caller.stats.timeouts++;
        progress.event(caller?.stats.agent ?? 'team', 'timeout', `${model.model} gave no answer within ${callTimeoutMs} ms`);
      });
      return limited;
    };
    const withBackup = fallback(call('primary', options.primary), [call('backup', options.backup)], { name: 'team-model.fallback' });
    withBackup.onFallback((event) => {
      const caller = callerOf(event.context);
      if (caller !== undefined) caller.stats.fallbacks++;
      progress.event(caller?.stats.agent ?? 'team', 'fallback', `${describe(event.error)} -> ${options.backup.model}`);
    });
    const retried = retry(withBackup, { name: 'team-model.retry', maxAttempts: options.maxAttempts ?? 6, initialDelayMs: 20, maxDelayMs: 250 });
    retried.onRetry((event) => {
      const caller = callerOf(event.context);
      if (caller !== undefined) caller.stats.retries++;
      progress.event(caller?.stats.agent ?? 'team', 'retry', `attempt ${event.attempt} failed (${describe(event.error)}), next in ${Math.round(event.delayMs)} ms`);
    });
    this.pipeline = cache(retried, {
      name: 'team-model.cache',
      store: options.cacheStore,
      ttlMs: 10 * 60_000,
      // A digest keeps keys short (they may be Redis keys); the model stays readable in front.
      key: (request) =>
        `${request.model ?? options.primary.model}:${createHash('sha256').update(JSON.stringify([request.maxTokens ?? 0, request.messages])).digest('hex')}`,
    });
  }

  /** The stats of `agent` (created on first use). */
  statsFor(agent: string, role: string): AgentStats {
    let stats = this.stats.get(agent);
    if (stats === undefined) {
      stats = new AgentStats(agent, role);
      this.stats.set(agent, stats);
    }
    return stats;
  }

  /** Every agent's stats, in the order they first asked. */
  allStats(): AgentStats[] {
    return [...this.stats.values()];
  }

  /** Asks the model on behalf of `agent`; a request answered without a model call counts as a cache hit. */
  async ask(agent: AgentStats, context: WorkflowContext, request: ModelRequest): Promise<ModelResponse> {
    agent.requests++;
    const caller: Caller = { stats: agent, modelCalls: 0 };
    const started = performance.now();
    try {
      const response = await this.pipeline.execute(context.child({ data: { ...context.data, [CALLER]: caller } }), request);
      if (caller.modelCalls === 0) {
        agent.cacheHits++;
        this.progress.event(agent.agent, 'cache hit', 'answered from the shared cache, no model call');
      }
      return response;
    } finally {
      agent.latenciesMs.push(performance.now() - started);
    }
  }
}

function describe(error: unknown): string {
  // FallbackExhaustedError (and AggregateError) keep every cause: show them, not the summary.
  const causes = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(causes)) return causes.map(describe).join(' + ');
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^\[simulated\] /, '');
}
