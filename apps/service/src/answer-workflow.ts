import { llmStep } from '@tta/observability';
import { cache, circuitBreaker, fallback, rateLimit, retry, step, timeout, type CacheStore, type CircuitStateStore, type RateLimiter, type WorkflowContext, type WorkflowPrimitive } from '@tta/primitives';
import type { ModelProvider } from '@tta-apps/model-provider';
import type { AnswerRequest } from './request-schema.js';

/** What the endpoint answers. */
export interface Answer {
  readonly text: string;
  readonly model: string;
  readonly simulated: boolean;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

/** Options of {@link createAnswerWorkflow}. */
export interface AnswerWorkflowOptions {
  /** The model asked first. */
  readonly primary: ModelProvider;
  /** The model asked when the primary fails or times out. */
  readonly backup: ModelProvider;
  /**
   * Time limit of one model call.
   * @default 2000
   */
  readonly callTimeoutMs?: number;
  /**
   * Calls of the primary-then-backup pair before giving up (retry's `maxAttempts`).
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * First wait between attempts (exponential, with decorrelated jitter).
   * @default 50
   */
  readonly initialDelayMs?: number;
  /**
   * How long an answer stays in the cache.
   * @default 300000
   */
  readonly cacheTtlMs?: number;
  /**
   * Capacity of the answer cache.
   * @default 1000
   */
  readonly cacheEntries?: number;
  /**
   * Where answers are cached, for example a `RedisCacheStore` shared by several instances (its
   * lease makes a question they all miss at once one model call). `cacheEntries` is then ignored.
   * @default an in-memory store of `cacheEntries` entries
   */
  readonly cacheStore?: CacheStore<Answer>;
  /**
   * A circuit breaker around the primary model: after `failures` failures in a row its circuit
   * opens for `breakDurationMs` and the backup answers at once. With a `store` (a
   * `RedisCircuitStateStore`), every instance's breaker reloads the shared state every `refreshMs`.
   * @default no breaker
   */
  readonly breaker?: { readonly failures: number; readonly breakDurationMs: number; readonly store?: CircuitStateStore; readonly refreshMs?: number };
  /**
   * A rate limit on model runs (cache hits take no permit): a run past it fails at once with
   * `RateLimitExceededError`. With a `limiter` (a `RedisRateLimiter`), every instance draws on one budget.
   * @default no limit
   */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number; readonly limiter?: RateLimiter };
}

/** Key of the context state entry where the model step writes which model answered. */
export const ANSWERED_BY = 'answer.model';

/**
 * How the answer cache served a request: `'miss'` (this request's run asked the model), `'hit'`
 * (a stored answer), `'shared'` (it joined the model call another request had already started:
 * single flight, counted as a miss by the cache's metrics), `'bypass'` (`fresh: true`).
 */
export type CacheOutcome = 'hit' | 'miss' | 'shared' | 'bypass';

/** Key of the context state entry where the workflow writes its {@link CacheOutcome}. */
export const CACHE_OUTCOME = 'answer.cache';

const systemPrompt = 'You answer questions about building reliable AI workflows. Be brief and concrete.';

/**
 * The endpoint's workflow, from the outside in, in the order the root README recommends:
 * cache -> (the request's deadline) -> retry -> fallback -> timeout -> model.
 *
 * - `cache`: the same question is answered once per `cacheTtlMs`; concurrent identical questions
 *   share one model call (single flight). A hit starts no timer and calls no model.
 * - The request's own deadline (the context's `timeoutMs`) is the total timeout: it bounds the whole
 *   run, retries included.
 * - `retry`: a failed attempt (both models down, or timed out) is tried again with backoff,
 *   waiting as long as a 429's `retry-after` asks.
 * - `fallback`: within an attempt, the backup model answers at once when the primary fails.
 * - `timeout`: each model call is cut off after `callTimeoutMs` and its request aborted.
 */
export function createAnswerWorkflow(options: AnswerWorkflowOptions): WorkflowPrimitive<AnswerRequest, Answer> {
  const callTimeoutMs = options.callTimeoutMs ?? 2000;
  // A hit and a single-flight join both return an answer this run did not produce; they differ in
  // whether the answer existed when the request reached the cache. One counter orders both events.
  let sequence = 0;
  const producedAt = new WeakMap<Answer, number>();
  const modelStep = (name: string, model: ModelProvider) =>
    timeout(
      llmStep(
        name,
        async (request: AnswerRequest, context: WorkflowContext): Promise<Answer> => {
        const response = await model.complete(
          {
            messages: [
              { role: 'system', content: systemPrompt },
              { role: 'user', content: request.question },
            ],
            ...(request.maxTokens === undefined ? {} : { maxTokens: request.maxTokens }),
          },
          { signal: context.signal },
        );
        context.state.set(ANSWERED_BY, response.model);
        const answer: Answer = {
          text: response.text,
          model: response.model,
          simulated: response.simulated,
          inputTokens: response.usage.inputTokens,
          outputTokens: response.usage.outputTokens,
          costUsd: response.costUsd,
        };
        producedAt.set(answer, ++sequence);
        return answer;
        },
        {
          model: model.model,
          provider: model.simulated ? 'simulated' : 'openai',
          usage: (answer) => ({ inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, costUsd: answer.costUsd, responseModel: answer.model }),
        },
      ),
      { name: `${name}-timeout`, timeoutMs: callTimeoutMs },
    );

  const primary = modelStep('llm-primary', options.primary);
  const breaker = options.breaker;
  const guardedPrimary =
    breaker === undefined
      ? primary
      : circuitBreaker(primary, {
          name: 'llm-primary-breaker',
          key: 'llm-primary',
          failureThreshold: breaker.failures,
          breakDurationMs: breaker.breakDurationMs,
          ...(breaker.store === undefined ? {} : { store: breaker.store, refreshMs: breaker.refreshMs ?? 250 }),
        });
  const attempt = fallback(guardedPrimary, [modelStep('llm-backup', options.backup)], { name: 'llm-fallback' });
  const retried = retry(attempt, { name: 'llm-retry', maxAttempts: options.maxAttempts ?? 3, initialDelayMs: options.initialDelayMs ?? 50, maxDelayMs: 1000 });
  const limit = options.rateLimit;
  const resilient =
    limit === undefined
      ? retried
      : rateLimit(retried, {
          name: 'answer-rate-limit',
          mode: 'reject',
          key: () => 'answers',
          ...(limit.limiter === undefined ? { tokensPerInterval: limit.perSecond, intervalMs: 1_000, burst: limit.burst } : { limiter: limit.limiter }),
        });
  const cached = cache(resilient, {
    name: 'answer-cache',
    key: (request) => `${request.maxTokens ?? ''}:${request.question.toLowerCase()}`,
    ttlMs: options.cacheTtlMs ?? 300_000,
    ...(options.cacheStore === undefined ? { maxEntries: options.cacheEntries ?? 1000 } : { store: options.cacheStore }),
  });
  return step('answer', async (request: AnswerRequest, context: WorkflowContext) => {
    if (request.fresh === true) {
      context.state.set(CACHE_OUTCOME, 'bypass');
      return resilient.execute(context, request);
    }
    const askedAt = ++sequence;
    const answer = await cached.execute(context, request);
    const outcome: CacheOutcome = context.state.has(ANSWERED_BY) ? 'miss' : (producedAt.get(answer) ?? 0) > askedAt ? 'shared' : 'hit';
    context.state.set(CACHE_OUTCOME, outcome);
    return answer;
  });
}
