import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import type { MemoryDraft } from './agent-memory.js';

// A lone surrogate cannot be encoded as UTF-8: a network store would turn it into U+FFFD, so two
// different ids (or tags) would name one entry (or index). `u` makes the class match lone halves only.
const loneSurrogate = /\p{Cs}/u;

/**
 * Checks the parts of a draft that every {@link AgentMemory} indexes or orders by: `id`, `agentId`
 * and each tag non-empty well-formed strings (tags may not be empty either), and `createdAt` a
 * finite number. Throws {@link InvalidInputError} (`retryable: false`) naming `operation`, so the
 * in-memory and network stores accept and refuse the same drafts, before either writes anything.
 *
 * @example
 * <!-- snippet-prelude: declare const draft: unknown; -->
 * ```ts
 * validateMemoryDraft('AgentMemory.store', draft);
 * ```
 */
export function validateMemoryDraft(operation: string, draft: unknown): asserts draft is MemoryDraft {
  if (typeof draft !== 'object' || draft === null) throw new InvalidInputError(operation, `draft must be an object (got ${describeValue(draft)})`);
  const { id, agentId, tags, createdAt } = draft as Record<string, unknown>;
  assertName(operation, 'agentId', agentId);
  if (id !== undefined) assertName(operation, 'id', id);
  if (tags !== undefined) {
    if (!Array.isArray(tags)) throw new InvalidInputError(operation, `tags must be an array of strings (got ${describeValue(tags)})`);
    for (const tag of tags as unknown[]) assertName(operation, 'each tag', tag);
  }
  if (createdAt !== undefined && !(typeof createdAt === 'number' && Number.isFinite(createdAt))) {
    throw new InvalidInputError(operation, `createdAt must be a finite number of epoch ms (got ${describeValue(createdAt)})`);
  }
}

function assertName(operation: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError(operation, `${field} must be a non-empty string (got ${describeValue(value)})`);
  }
  if (loneSurrogate.test(value)) throw new InvalidInputError(operation, `${field} must not contain a lone UTF-16 surrogate (got ${describeValue(value)})`);
}
