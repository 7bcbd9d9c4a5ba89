import { reportListenerError } from '../core/disposable.js';
import { requireFunction, requireInteger, requireOptionsObject } from '../core/options.js';
import type { CacheEntry, CacheStore } from './cache-store.js';

/** Options of {@link InMemoryCacheStore}. */
export interface InMemoryCacheStoreOptions<TValue = unknown> {
  /**
   * Most entries kept; storing one more evicts the least recently used entry.
   * @default Infinity
   */
  readonly maxEntries?: number;
  /** Called with the key and entry of every entry evicted for capacity (not for `delete`/`clear`). */
  readonly onEvict?: (key: string, entry: CacheEntry<TValue>) => void;
}

/**
 * The default {@link CacheStore}: a `Map` in this process, least recently used first (a hit
 * moves the entry to the end), so eviction drops the first key.
 *
 * @example
 * ```ts
 * const store = new InMemoryCacheStore({ maxEntries: 1_000 });
 * const cached = cache(llm, { ttlMs: 60_000, store });
 * ```
 */
export class InMemoryCacheStore<TValue = unknown> implements CacheStore<TValue> {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  /** Capacity of the store. */
  readonly maxEntries: number;
  private readonly entries = new Map<string, CacheEntry<TValue>>();
  private readonly onEvict: ((key: string, entry: CacheEntry<TValue>) => void) | undefined;

  constructor(options: InMemoryCacheStoreOptions<TValue> = {}) {
    requireOptionsObject('InMemoryCacheStore', options);
    const maxEntries = options.maxEntries ?? Infinity;
    requireInteger('InMemoryCacheStore', 'maxEntries', maxEntries, { min: 1, infinity: true });
    requireFunction('InMemoryCacheStore', 'onEvict', options.onEvict, { optional: true });
    this.maxEntries = maxEntries;
    this.onEvict = options.onEvict;
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  get(key: string): Promise<CacheEntry<TValue> | undefined> {
    return Promise.resolve(this.getSync(key));
  }

  set(key: string, entry: CacheEntry<TValue>): Promise<void> {
    this.setSync(key, entry);
    return Promise.resolve();
  }

  delete(key: string): Promise<boolean> {
    return Promise.resolve(this.entries.delete(key));
  }

  clear(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  /** @internal Synchronous `get`, used by `CachePrimitive` to keep its hit path free of extra promises. */
  getSync(key: string): CacheEntry<TValue> | undefined {
    const entries = this.entries;
    const entry = entries.get(key);
    if (entry !== undefined && entries.size > 1) {
      entries.delete(key);
      entries.set(key, entry);
    }
    return entry;
  }

  /** @internal Synchronous `set`. */
  setSync(key: string, entry: CacheEntry<TValue>): void {
    const entries = this.entries;
    if (entries.has(key)) entries.delete(key);
    else {
      while (entries.size >= this.maxEntries) {
        const oldest = entries.keys().next().value!;
        const evicted = entries.get(oldest)!;
        entries.delete(oldest);
        if (this.onEvict !== undefined) {
          try {
            this.onEvict(oldest, evicted);
          } catch (error) {
            reportListenerError(error);
          }
        }
      }
    }
    entries.set(key, entry);
  }

  /** @internal Synchronous `delete`. */
  deleteSync(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Keys currently held, least recently used first. */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }
}
