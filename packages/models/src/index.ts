// Providers and their contract
export type { ModelProvider, ModelRequest, ModelMessage, ModelResponse, ModelUsage, ModelStreamPart, ModelCallOptions, FinishReason, ModelPrice, ModelPrices } from './model-provider.js';
export { openAICompatible } from './openai-compatible.js';
export type { OpenAICompatibleOptions } from './openai-compatible.js';
export { simulatedModel } from './simulated-model.js';
export type { SimulatedModelOptions } from './simulated-model.js';

// Steps
export { modelStep, ModelStepPrimitive } from './model-step.js';
export type { ModelStepOptions, ModelStepResponse } from './model-step.js';
export { streamStep, StreamStepPrimitive } from './stream-step.js';
export type { StreamStepOptions, ModelTextChunk } from './stream-step.js';

// Cost and token helpers
export { costOf } from './prices.js';
export { estimateTokens } from './estimate-tokens.js';
export { parseRetryAfter } from './retry-after.js';

// Errors
export { ModelRequestError } from './errors/model-request-error.js';
export type { ModelRequestErrorDetails } from './errors/model-request-error.js';
export { ModelResponseError } from './errors/model-response-error.js';
export { StreamIdleTimeoutError } from './errors/stream-idle-timeout-error.js';

// Vercel AI SDK models (optional peer `ai` 5 or 6)
export { fromAiSdk } from './from-ai-sdk.js';
export type { AiSdkLanguageModel } from './from-ai-sdk.js';
