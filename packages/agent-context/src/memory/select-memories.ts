import type { MemoryEntry, MemoryQuery } from './agent-memory.js';

/** An entry with the order in which it was stored. */
export interface SequencedMemory {
  readonly entry: MemoryEntry;
  readonly sequence: number;
}

/**
 * Applies a {@link MemoryQuery} to a list of entries: filters, orders by `createdAt` then storing
 * order, and limits. Exported so that other stores (for example one that filters on a server and
 * finishes locally) give the same answers.
 */
export function selectMemories<TStored extends SequencedMemory>(candidates: readonly TStored[], query: MemoryQuery): TStored[] {
  const { agentId, tags, since, until } = query;
  const matchAll = (query.tagMatch ?? 'all') === 'all';
  const selected = candidates.filter(({ entry }) => {
    if (agentId !== undefined && entry.agentId !== agentId) return false;
    if (since !== undefined && entry.createdAt < since) return false;
    if (until !== undefined && entry.createdAt >= until) return false;
    if (tags !== undefined && tags.length > 0) {
      return matchAll ? tags.every((tag) => entry.tags.includes(tag)) : tags.some((tag) => entry.tags.includes(tag));
    }
    return true;
  });
  const newestFirst = query.order !== 'oldest';
  // Entries usually arrive in time order: then the storing order is already the answer's order.
  if (!isChronological(selected)) selected.sort((left, right) => left.entry.createdAt - right.entry.createdAt || left.sequence - right.sequence);
  if (newestFirst) selected.reverse();
  const limit = query.limit ?? Infinity;
  return limit < selected.length ? selected.slice(0, Math.max(0, limit)) : selected;
}

function isChronological(list: readonly SequencedMemory[]): boolean {
  for (let index = 1; index < list.length; index++) {
    const previous = list[index - 1]!;
    const current = list[index]!;
    if (current.entry.createdAt < previous.entry.createdAt || (current.entry.createdAt === previous.entry.createdAt && current.sequence < previous.sequence)) return false;
  }
  return true;
}
