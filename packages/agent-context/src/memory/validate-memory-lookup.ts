import { assertWellFormedName } from '../data/assert-well-formed-name.js';

/** The names an {@link AgentMemory} lookup addresses entries by. */
export interface MemoryLookupNames {
  readonly id?: unknown;
  readonly agentId?: unknown;
  readonly tags?: unknown;
}

/**
 * Refuses, with `InvalidInputError` naming `operation`, a lookup (`retrieve`, `delete`, `query`)
 * by an id, agent or tag that holds a lone UTF-16 surrogate. No entry can be stored under such a
 * name (see `validateMemoryDraft`), but a network store would encode it as U+FFFD and find, or
 * delete, the entry of a well-formed neighbour; every store refuses it instead.
 *
 * @example
 * <!-- snippet-prelude: declare const id: unknown; -->
 * ```ts
 * validateMemoryLookup('AgentMemory.retrieve', { id });
 * ```
 */
export function validateMemoryLookup(operation: string, names: MemoryLookupNames): void {
  // Only strings: the other checks of each operation (and their messages) stay as they are.
  if (typeof names.id === 'string') assertWellFormedName(operation, 'id', names.id, { allowEmpty: true });
  if (typeof names.agentId === 'string') assertWellFormedName(operation, 'agentId', names.agentId, { allowEmpty: true });
  if (Array.isArray(names.tags)) {
    for (const tag of names.tags as unknown[]) if (typeof tag === 'string') assertWellFormedName(operation, 'each tag', tag, { allowEmpty: true });
  }
}
