/** Where LLM token usage and cost go once Prometheus metrics are on. */
export interface LlmUsageSink {
  recordLlmUsage(model: string, inputTokens: number | undefined, outputTokens: number | undefined, costUsd: number | undefined): void;
}

/** @internal Process-wide state shared by the initialiser and the LLM helpers. */
export const observabilityState: { llmUsage: LlmUsageSink | undefined } = { llmUsage: undefined };
