import type { ModelRequest, ModelUsage } from './model-provider.js';

/**
 * A rough token count, about four characters per token: used only where the model reported no
 * usage (a cancelled stream, a server without usage), and marked `estimated`.
 *
 * @example
 * ```ts
 * estimateTokens('Hello, world'); // 3
 * ```
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated usage of a request and the answer text received so far. */
export function estimateUsage(request: ModelRequest, answer: string): ModelUsage {
  let prompt = 0;
  for (const message of request.messages) prompt += estimateTokens(message.content);
  return { inputTokens: prompt, outputTokens: estimateTokens(answer), estimated: true };
}
