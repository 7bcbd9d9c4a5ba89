import { SpanKind, context as otelContext, trace, type Attributes, type Span } from '@opentelemetry/api';
import { WorkflowPrimitive, type PrimitiveOptions, type StepFunction, type WorkflowContext } from '@tta/primitives';
import { requireFunction, requireNonEmptyString, type PrimitiveOptionsSummary } from '@tta/primitives/instrumentation';
import { observabilityState } from './observability-state.js';
import { safeName, safeString, toAttributes } from './span-attributes.js';
import { recordSpanError, tracerName } from './tracing-instrumentation.js';
import { genAiAttributes } from './gen-ai-attributes.js';

export { genAiAttributes } from './gen-ai-attributes.js';

/** What is known of an LLM request before it runs. */
export interface LlmRequestInfo {
  /** Requested model, `gen_ai.request.model`; the span is named `<operation> <model>`. */
  readonly model: string;
  /** Provider, `gen_ai.provider.name` (`openai`, `anthropic`, `aws.bedrock`...). */
  readonly provider?: string;
  /** Older name of `provider` (`gen_ai.system`); both attributes are written. */
  readonly system?: string;
  /**
   * `gen_ai.operation.name`.
   * @default 'chat'
   */
  readonly operation?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly topP?: number;
  /** Extra span attributes; secret-looking keys and values are redacted. Never put prompts here. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** What an LLM response reports. */
export interface LlmUsage {
  /** `gen_ai.usage.input_tokens`, and `tta_llm_tokens_total{type="input"}`. */
  readonly inputTokens?: number;
  /** `gen_ai.usage.output_tokens`, and `tta_llm_tokens_total{type="output"}`. */
  readonly outputTokens?: number;
  /** Cost of the call in US dollars, into `tta_llm_cost_usd_total`. */
  readonly costUsd?: number;
  readonly responseModel?: string;
  readonly responseId?: string;
  readonly finishReasons?: readonly string[];
}

/** A finished LLM call for {@link recordLlmCall}. */
export interface LlmCallRecord extends LlmRequestInfo, LlmUsage {
  /** When the call started (epoch ms). @default Date.now() - durationMs */
  readonly startTime?: number;
  /** How long it took. @default 0 */
  readonly durationMs?: number;
  /** The failure, when the call failed: recorded with status ERROR. */
  readonly error?: unknown;
}

function requestAttributes(info: LlmRequestInfo): Attributes {
  const attributes: Attributes = info.attributes === undefined ? {} : toAttributes(info.attributes, '');
  attributes[genAiAttributes.operationName] = info.operation ?? 'chat';
  attributes[genAiAttributes.requestModel] = safeString(info.model);
  const provider = info.provider ?? info.system;
  if (provider !== undefined) {
    attributes[genAiAttributes.providerName] = provider;
    attributes[genAiAttributes.system] = provider;
  }
  if (info.temperature !== undefined) attributes[genAiAttributes.requestTemperature] = info.temperature;
  if (info.maxTokens !== undefined) attributes[genAiAttributes.requestMaxTokens] = info.maxTokens;
  if (info.topP !== undefined) attributes[genAiAttributes.requestTopP] = info.topP;
  return attributes;
}

function applyUsage(span: Span, model: string, usage: LlmUsage | undefined, context?: WorkflowContext): void {
  if (usage !== undefined) {
    if (usage.inputTokens !== undefined) span.setAttribute(genAiAttributes.usageInputTokens, usage.inputTokens);
    if (usage.outputTokens !== undefined) span.setAttribute(genAiAttributes.usageOutputTokens, usage.outputTokens);
    if (usage.costUsd !== undefined) span.setAttribute(genAiAttributes.costUsd, usage.costUsd);
    if (usage.responseModel !== undefined) span.setAttribute(genAiAttributes.responseModel, safeString(usage.responseModel));
    if (usage.responseId !== undefined) span.setAttribute(genAiAttributes.responseId, safeString(usage.responseId));
    if (usage.finishReasons !== undefined) span.setAttribute(genAiAttributes.responseFinishReasons, [...usage.finishReasons]);
  }
  if (context === undefined || usage === undefined) {
    observabilityState.llmUsage?.recordLlmUsage(model, usage?.inputTokens, usage?.outputTokens, usage?.costUsd);
    return;
  }
  // Through the run, like modelStep: budgets count the call, and the metrics come from the usage
  // event (counting here as well would count it twice). A count that is not one adds nothing.
  const costUsd = amount(usage.costUsd);
  context.reportUsage({ model, inputTokens: amount(usage.inputTokens) ?? 0, outputTokens: amount(usage.outputTokens) ?? 0, ...(costUsd === undefined ? {} : { costUsd }) });
}

const amount = (value: number | undefined): number | undefined => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined);

// The model name is caller text: a key pasted in its place must not become a span name.
const spanName = (info: LlmRequestInfo): string => safeName(`${info.operation ?? 'chat'} ${info.model}`);

/**
 * Records an LLM call that already happened: a `chat <model>` span (child of the current span)
 * with the GenAI attributes, and its tokens and cost in the Prometheus metrics.
 *
 * @example
 * <!-- snippet-prelude: declare const messages: { role: 'user'; content: string }[]; declare const client: { chat: { completions: { create(request: { model: string; messages: typeof messages }): Promise<{ usage?: { prompt_tokens: number; completion_tokens: number } }> } } }; -->
 * ```ts
 * const started = Date.now();
 * const response = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
 * recordLlmCall({ model: 'gpt-4o-mini', provider: 'openai', startTime: started, durationMs: Date.now() - started,
 *   ...(response.usage && { inputTokens: response.usage.prompt_tokens, outputTokens: response.usage.completion_tokens }) });
 * ```
 */
export function recordLlmCall(call: LlmCallRecord): void {
  const durationMs = call.durationMs ?? 0;
  const startTime = call.startTime ?? Date.now() - durationMs;
  const span = trace.getTracer(tracerName).startSpan(spanName(call), { kind: SpanKind.CLIENT, attributes: requestAttributes(call), startTime });
  applyUsage(span, call.model, call);
  if (call.error !== undefined) recordSpanError(span, call.error);
  span.end(startTime + durationMs);
}

/** Options of {@link llmStep}: the request description and how to read the usage from the output. */
export interface LlmStepOptions<TOutput> extends LlmRequestInfo, Omit<PrimitiveOptions, 'name'> {
  /** Reads token usage and cost from the step's output. */
  readonly usage?: (output: TOutput) => LlmUsage | undefined;
}

/**
 * A step that calls a model: its primitive span has a `chat <model>` child span, current while
 * the function runs (so the HTTP call to the provider is its child), with the GenAI attributes and
 * the usage read from the output. Made by {@link llmStep}.
 */
export class LlmStepPrimitive<in TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  private readonly fn: StepFunction<TInput, TOutput>;
  private readonly info: LlmStepOptions<TOutput>;

  constructor(name: string, fn: StepFunction<TInput, TOutput>, options: LlmStepOptions<TOutput>) {
    super('llm', options.instrument === undefined ? { name } : { name, instrument: options.instrument });
    const owner = `llmStep "${name}"`;
    requireFunction(owner, 'fn', fn, { signature: '(input, context) => output' });
    requireNonEmptyString(owner, 'model', options.model);
    requireFunction(owner, 'usage', options.usage, { optional: true, signature: '(output) => usage' });
    this.fn = fn;
    this.info = options;
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    const info = this.info;
    return { model: info.model, provider: info.provider, operation: info.operation, temperature: info.temperature, maxTokens: info.maxTokens, topP: info.topP };
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const info = this.info;
    // A spent budget refuses the call before it starts, as modelStep does.
    context.checkBudget();
    const active = otelContext.active();
    const span = trace.getTracer(tracerName).startSpan(spanName(info), { kind: SpanKind.CLIENT, attributes: requestAttributes(info) }, active);
    const promise = otelContext.with(trace.setSpan(active, span), () => {
      try {
        return Promise.resolve(this.fn(input, context));
      } catch (error) {
        return Promise.reject(error);
      }
    });
    return promise.then(
      (output) => {
        let usage: LlmUsage | undefined;
        try {
          usage = info.usage?.(output);
        } catch {
          // A usage reader that throws must not fail a call that succeeded.
        }
        // Reported with the chat span current, so the usage attributes land on it.
        otelContext.with(trace.setSpan(active, span), () => applyUsage(span, info.model, usage, context));
        span.end();
        return output;
      },
      (error: unknown) => {
        recordSpanError(span, error);
        span.end();
        throw error;
      },
    );
  }
}

/**
 * Lifts a model call into a primitive that records it per the OpenTelemetry GenAI conventions.
 *
 * @example
 * <!-- snippet-prelude: declare const model: { complete(text: string, signal: AbortSignal): Promise<{ text: string; usage: { input: number; output: number }; costUsd: number }> }; -->
 * ```ts
 * const summarise = llmStep('summarise', (text: string, context) => model.complete(text, context.signal), {
 *   model: 'gpt-4o-mini', provider: 'openai',
 *   usage: (reply) => ({ inputTokens: reply.usage.input, outputTokens: reply.usage.output, costUsd: reply.costUsd }),
 * });
 * ```
 */
export function llmStep<TInput, TOutput>(name: string, fn: StepFunction<TInput, TOutput>, options: LlmStepOptions<TOutput>): LlmStepPrimitive<TInput, TOutput> {
  return new LlmStepPrimitive(name, fn, options);
}
