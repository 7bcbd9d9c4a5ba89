import { InvalidOptionsError, type Event } from '@tta/primitives';
import { EventEmitter, describeValue, systemClock, type Clock } from '@tta/primitives/instrumentation';
import type { AgentMemory, MemoryDraft, MemoryEntry, MemoryQuery } from './agent-memory.js';
import { generateId } from '../internal/generate-id.js';
import { selectMemories } from './select-memories.js';
import { validateMemoryDraft } from './validate-memory-draft.js';
import { validateMemoryLookup } from './validate-memory-lookup.js';
import { copyPlainData } from '../data/copy-plain-data.js';

/** Options of {@link InMemoryAgentMemory}. */
export interface InMemoryAgentMemoryOptions {
  /**
   * Most entries held; storing beyond it evicts the entries stored longest ago.
   * @default 1000
   */
  readonly maxEntries?: number;
  /** Clock for `createdAt`. @default systemClock */
  readonly clock?: Clock;
}

interface Stored {
  readonly entry: MemoryEntry;
  readonly sequence: number;
}

/**
 * The {@link AgentMemory} of one process, bounded to `maxEntries` (oldest stored evicted first).
 *
 * @example
 * ```ts
 * const memory = new InMemoryAgentMemory({ maxEntries: 500 });
 * await memory.store({ agentId: 'researcher', content: finding, tags: ['pricing'] });
 * const recent = await memory.query({ tags: ['pricing'], limit: 5 });
 * ```
 */
export class InMemoryAgentMemory implements AgentMemory {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  /** The bound on the number of entries. */
  readonly maxEntries: number;
  private readonly clock: Clock;
  // A Map iterates in insertion order, so its first key is always the entry stored longest ago.
  private readonly entries = new Map<string, Stored>();
  private sequence = 0;
  private readonly evictions = new EventEmitter<MemoryEntry>();

  /** Fires with each entry evicted to stay within `maxEntries`. */
  readonly onEvict: Event<MemoryEntry> = this.evictions.event;

  constructor(options: InMemoryAgentMemoryOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('InMemoryAgentMemory', 'options', `must be an object when given (got ${describeValue(options)})`);
    const maxEntries = options.maxEntries ?? 1000;
    if (!(Number.isInteger(maxEntries) && maxEntries >= 1) && maxEntries !== Infinity) {
      throw new InvalidOptionsError('InMemoryAgentMemory', 'maxEntries', `must be a positive integer or Infinity (got ${describeValue(maxEntries)})`);
    }
    this.maxEntries = maxEntries;
    this.clock = options.clock ?? systemClock;
  }

  store<T>(draft: MemoryDraft<T>): Promise<MemoryEntry<T>> {
    let entry: MemoryEntry<T>;
    try {
      validateMemoryDraft('AgentMemory.store', draft);
      entry = {
        id: draft.id ?? generateId(),
        agentId: draft.agentId,
        // The Redis store's rule (JSON): both accept the same contents and give back the same.
        content: draft.content === undefined ? draft.content : copyPlainData('AgentMemory.store', 'content', draft.content),
        tags: [...(draft.tags ?? [])],
        createdAt: draft.createdAt ?? Math.floor(this.clock.now()),
        ...(draft.metadata === undefined ? {} : { metadata: copyPlainData('AgentMemory.store', 'metadata', draft.metadata) }),
      };
    } catch (error) {
      return Promise.reject(error);
    }
    this.entries.delete(entry.id);
    this.entries.set(entry.id, { entry, sequence: ++this.sequence });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      const evicted = this.entries.get(oldest)!.entry;
      this.entries.delete(oldest);
      if (this.evictions.hasListeners) this.evictions.emit(structuredClone(evicted));
    }
    return Promise.resolve(structuredClone(entry));
  }

  retrieve<T = unknown>(id: string): Promise<MemoryEntry<T> | undefined> {
    try {
      validateMemoryLookup('AgentMemory.retrieve', { id });
    } catch (error) {
      return Promise.reject(error);
    }
    const stored = this.entries.get(id);
    return Promise.resolve(stored === undefined ? undefined : (structuredClone(stored.entry) as MemoryEntry<T>));
  }

  query<T = unknown>(query: MemoryQuery = {}): Promise<MemoryEntry<T>[]> {
    try {
      validateMemoryLookup('AgentMemory.query', { agentId: query?.agentId, tags: query?.tags });
    } catch (error) {
      return Promise.reject(error);
    }
    const selected = selectMemories([...this.entries.values()], query);
    return Promise.resolve(selected.map((stored) => structuredClone(stored.entry) as MemoryEntry<T>));
  }

  delete(id: string): Promise<boolean> {
    try {
      validateMemoryLookup('AgentMemory.delete', { id });
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(this.entries.delete(id));
  }

  size(): Promise<number> {
    return Promise.resolve(this.entries.size);
  }

  clear(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }
}
