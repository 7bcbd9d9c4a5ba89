/** One remembered item. */
export interface MemoryEntry<T = unknown> {
  /** Unique id (given by the caller or generated). */
  readonly id: string;
  /** The agent that stored it. */
  readonly agentId: string;
  readonly content: T;
  /** Labels for {@link MemoryQuery.tags}. */
  readonly tags: readonly string[];
  /** Epoch ms when it was stored: the store clock rounded down to a whole number, unless the draft gave one. */
  readonly createdAt: number;
  /** Free-form extra data (scores, sources...). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** What {@link AgentMemory.store} takes. */
export interface MemoryDraft<T = unknown> {
  /** Storing again with the same id replaces the entry (and makes it the newest). @default a random UUID */
  readonly id?: string;
  readonly agentId: string;
  readonly content: T;
  /** @default [] */
  readonly tags?: readonly string[];
  /** @default the store clock's now */
  readonly createdAt?: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Filters of {@link AgentMemory.query}; every filter given must match. */
export interface MemoryQuery {
  /** Only entries stored by this agent. */
  readonly agentId?: string;
  /** Entries carrying these tags. */
  readonly tags?: readonly string[];
  /** `'all'`: every tag must be present; `'any'`: at least one. @default 'all' */
  readonly tagMatch?: 'all' | 'any';
  /** Only entries with `createdAt >= since` (epoch ms). */
  readonly since?: number;
  /** Only entries with `createdAt < until` (epoch ms). */
  readonly until?: number;
  /** `'newest'` first or `'oldest'` first, by `createdAt` then by storing order. @default 'newest' */
  readonly order?: 'newest' | 'oldest';
  /** Most entries returned. @default Infinity */
  readonly limit?: number;
}

/**
 * Long-lived memory of agents: store, retrieve by id, query by tags / agent / time range. A store
 * has a bounded size: when full, storing evicts the entries stored longest ago (storing order, not
 * `createdAt`). Every method is async so that a network store (`RedisAgentMemory` in `@tta/redis`)
 * fits; contents must survive `structuredClone` (and JSON, for network stores).
 *
 * Checked by `describeAgentMemoryContract` from `@tta/agent-context/testing`.
 */
export interface AgentMemory {
  /** The version of this interface the implementation was written against; this release supports 1. */
  readonly specificationVersion: 1;
  /** Stores an entry and returns it as stored; may evict the oldest entries to stay within bounds. */
  store<T>(draft: MemoryDraft<T>): Promise<MemoryEntry<T>>;
  /** The entry with this id, or undefined. */
  retrieve<T = unknown>(id: string): Promise<MemoryEntry<T> | undefined>;
  /** Entries matching every filter, ordered as asked. */
  query<T = unknown>(query?: MemoryQuery): Promise<MemoryEntry<T>[]>;
  /** Removes an entry; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Number of entries held. */
  size(): Promise<number>;
  /** Removes every entry. */
  clear(): Promise<void>;
}
