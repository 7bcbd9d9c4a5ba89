import { InvalidInputError } from '@tta/primitives';
import type { ModelRequest } from './model-provider.js';

const roles = new Set(['system', 'user', 'assistant']);

/**
 * The request a step was given: a plain string is one user message. A request without messages,
 * or with a message that is not `{ role, content }`, is refused with `InvalidInputError`.
 */
export function toModelRequest(step: string, input: ModelRequest | string): ModelRequest {
  if (typeof input === 'string') return { messages: [{ role: 'user', content: input }] };
  if (typeof input !== 'object' || input === null || !Array.isArray(input.messages) || input.messages.length === 0) {
    throw new InvalidInputError(step, 'the input must be a string or a request { messages: [{ role, content }, ...] } with at least one message');
  }
  input.messages.forEach((message: unknown, index) => {
    const { role, content } = (message ?? {}) as Record<string, unknown>;
    if (typeof role !== 'string' || !roles.has(role) || typeof content !== 'string') {
      throw new InvalidInputError(step, `messages[${index}] must be { role: 'system' | 'user' | 'assistant', content: string }`);
    }
  });
  // Checked here, not by the server: a bad value would come back as a 400 that names nothing of ours.
  const { model, temperature, maxOutputTokens } = input as unknown as Record<string, unknown>;
  if (model !== undefined && (typeof model !== 'string' || model === '')) throw new InvalidInputError(step, '"model" must be a non-empty string when given');
  if (temperature !== undefined && (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0)) {
    throw new InvalidInputError(step, '"temperature" must be a finite number >= 0 when given');
  }
  if (maxOutputTokens !== undefined && (typeof maxOutputTokens !== 'number' || !Number.isSafeInteger(maxOutputTokens) || maxOutputTokens < 1)) {
    throw new InvalidInputError(step, '"maxOutputTokens" must be a positive integer when given');
  }
  return input;
}
