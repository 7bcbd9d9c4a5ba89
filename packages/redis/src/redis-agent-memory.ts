import { randomUUID } from 'node:crypto';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { describeValue, requireNonEmptyString, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { copyPlainData, validateMemoryDraft, validateMemoryLookup, type AgentMemory, type MemoryDraft, type MemoryEntry, type MemoryQuery } from '@tta/agent-context';
import { resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard } from './redis-call.js';
import { clearScript, deleteScript, storeScript } from './redis-agent-memory-scripts.js';
import { storeKey } from './key-layout.js';
import { assertCallOptions, assertOptionsObject } from './validate-options.js';

/**
 * Where one memory's keys live: `<prefix>memory:{<escaped namespace>}:` (the key layout; braces:
 * one Cluster slot per memory). Every key of the memory starts with it; the scripts add the
 * suffixes they document.
 */
function memoryKeyBase(prefix: string, namespace: string): string {
  return storeKey(prefix, 'memory', namespace, '');
}

/** Options of {@link RedisAgentMemory}. */
export interface RedisAgentMemoryOptions extends RedisStoreOptions {
  /** Name of this memory inside the prefix, so several memories share a server. @default 'default' */
  readonly namespace?: string;
  /** Most entries held; storing beyond it evicts the entries stored longest ago. @default 10_000 */
  readonly maxEntries?: number;
  /** Clock for `createdAt` when a draft gives none. @default systemClock */
  readonly clock?: Clock;
}

/**
 * `AgentMemory` in Redis, shared by every process that uses the same server, prefix and namespace.
 * Storing (with its eviction of the oldest entries beyond `maxEntries`), deleting and clearing are
 * Lua scripts, so indexes never disagree with the entries whatever other processes do at the same
 * time; the scripts never decode the stored JSON and every loop in them is bounded. Queries narrow the candidates with the
 * agent and tag indexes on the server and filter the time range and order in the process: fine for
 * memories of thousands of entries, not a search engine.
 *
 * @example
 * ```ts
 * const memory = new RedisAgentMemory({ connection: redis, namespace: 'support-bot', maxEntries: 5_000 });
 * await memory.store({ agentId: 'researcher', content: finding, tags: ['billing'] });
 * const recent = await memory.query({ tags: ['billing'], limit: 10 });
 * ```
 */
export class RedisAgentMemory implements AgentMemory {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  /** Bound of the memory. */
  readonly maxEntries: number;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly base: string;
  // The scripts build their keys from the base (ARGV); naming one of them as KEYS[1] sends each script
  // to the node that serves the memory's slot on a Redis Cluster.
  private readonly slotKey: string;
  private readonly clock: Clock;

  constructor(options: RedisAgentMemoryOptions = {}) {
    assertOptionsObject('RedisAgentMemory', options, ['connection', 'prefix', 'namespace', 'maxEntries', 'clock'] satisfies (keyof RedisAgentMemoryOptions)[]);
    const maxEntries = options.maxEntries ?? 10_000;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new InvalidOptionsError('RedisAgentMemory', 'maxEntries', 'must be an integer >= 1');
    const namespace = options.namespace ?? 'default';
    // Any name is safe: the key layout escapes braces, so a namespace never leaves its hash tag.
    requireNonEmptyString('RedisAgentMemory', 'namespace', namespace);
    this.maxEntries = maxEntries;
    this.base = memoryKeyBase(validatePrefix('RedisAgentMemory', options.prefix), namespace);
    this.slotKey = `${this.base}order`;
    this.clock = options.clock ?? systemClock;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  async store<T>(draft: MemoryDraft<T>): Promise<MemoryEntry<T>> {
    validateMemoryDraft('RedisAgentMemory.store', draft);
    const entry: Record<string, unknown> = {
      id: draft.id ?? randomUUID(),
      agentId: draft.agentId,
      // The in-memory store's rule: contents JSON would change (Date, Map, NaN, BigInt...) are refused, typed.
      content: draft.content === undefined ? draft.content : copyPlainData('RedisAgentMemory.store', 'content', draft.content),
      tags: [...(draft.tags ?? [])],
      createdAt: draft.createdAt ?? Math.floor(this.clock.now()),
    };
    if (draft.metadata !== undefined) entry.metadata = copyPlainData('RedisAgentMemory.store', 'metadata', draft.metadata);
    const json = JSON.stringify(entry);
    const tags = [...new Set(entry.tags as string[])];
    await guard('RedisAgentMemory.store', () =>
      storeScript.run(this.client, [this.slotKey], [this.base, entry.id as string, json, this.maxEntries, draft.agentId, ...tags]),
    );
    return JSON.parse(json) as MemoryEntry<T>;
  }

  async retrieve<T = unknown>(id: string): Promise<MemoryEntry<T> | undefined> {
    validateMemoryLookup('RedisAgentMemory.retrieve', { id });
    const text = await guard('RedisAgentMemory.retrieve', () => this.client.hget(`${this.base}entries`, id));
    return text === null ? undefined : (JSON.parse(text) as MemoryEntry<T>);
  }

  async query<T = unknown>(query: MemoryQuery = {}): Promise<MemoryEntry<T>[]> {
    assertCallOptions('RedisAgentMemory.query', 'query', query);
    validateMemoryLookup('RedisAgentMemory.query', { agentId: query.agentId, tags: query.tags });
    const limit = query.limit ?? Infinity;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
      throw new InvalidInputError('RedisAgentMemory.query', `limit must be an integer >= 0 or Infinity (got ${describeValue(limit)})`);
    }
    const ids = await guard('RedisAgentMemory.query', () => this.candidates(query));
    if (ids.length === 0 || limit === 0) return [];
    const [texts, sequences] = await guard('RedisAgentMemory.query', async () => {
      const replies = await this.client.multi().hmget(`${this.base}entries`, ...ids).zmscore(`${this.base}order`, ...ids).exec();
      if (replies === null) throw new Error('transaction aborted');
      for (const [error] of replies) if (error !== null) throw error;
      return [replies[0]![1] as (string | null)[], replies[1]![1] as (string | null)[]] as const;
    });
    const found: { entry: MemoryEntry<T>; seq: number }[] = [];
    const tags = query.tags ?? [];
    for (let index = 0; index < ids.length; index++) {
      const text = texts[index];
      const seq = sequences[index];
      if (text === null || text === undefined || seq === null || seq === undefined) continue;
      const entry = JSON.parse(text) as MemoryEntry<T>;
      if (query.agentId !== undefined && entry.agentId !== query.agentId) continue;
      if (query.since !== undefined && entry.createdAt < query.since) continue;
      if (query.until !== undefined && entry.createdAt >= query.until) continue;
      if (tags.length > 0) {
        const matches = query.tagMatch === 'any' ? tags.some((tag) => entry.tags.includes(tag)) : tags.every((tag) => entry.tags.includes(tag));
        if (!matches) continue;
      }
      found.push({ entry, seq: Number(seq) });
    }
    const direction = query.order === 'oldest' ? 1 : -1;
    found.sort((left, right) => direction * (left.entry.createdAt - right.entry.createdAt || left.seq - right.seq));
    return (limit === Infinity ? found : found.slice(0, limit)).map(({ entry }) => entry);
  }

  async delete(id: string): Promise<boolean> {
    validateMemoryLookup('RedisAgentMemory.delete', { id });
    return (await guard('RedisAgentMemory.delete', () => deleteScript.run(this.client, [this.slotKey], [this.base, id]))) === 1;
  }

  async size(): Promise<number> {
    return guard('RedisAgentMemory.size', () => this.client.zcard(`${this.base}order`));
  }

  async clear(): Promise<void> {
    await guard('RedisAgentMemory.clear', () => clearScript.run(this.client, [this.slotKey], [this.base]));
  }

  /** Closes the connection when the memory created it. */
  async close(): Promise<void> {
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async candidates(query: MemoryQuery): Promise<string[]> {
    const tags = [...new Set(query.tags ?? [])];
    const agentSet = query.agentId === undefined ? undefined : `${this.base}agent:${query.agentId}`;
    const tagSets = tags.map((tag) => `${this.base}tag:${tag}`);
    if (tagSets.length > 0 && query.tagMatch !== 'any') return this.client.sinter(...tagSets, ...(agentSet === undefined ? [] : [agentSet]));
    if (tagSets.length > 0) return this.client.sunion(...tagSets);
    if (agentSet !== undefined) return this.client.smembers(agentSet);
    return this.client.zrange(`${this.base}order`, 0, -1);
  }
}
