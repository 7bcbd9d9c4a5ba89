/**
 * One cached value with its timestamps (all epoch milliseconds, on the cache's clock, with its
 * sub-millisecond precision: they decide freshness and the `ageMs` of cache events, not records).
 *
 * - fresh while `now < expiresAt`;
 * - stale but servable (stale-while-revalidate) while `expiresAt <= now < staleUntil`;
 * - gone once `now >= staleUntil`.
 *
 * Without stale-while-revalidate, `staleUntil === expiresAt`. The entry is plain data so that a
 * remote store can serialise it (for example as JSON).
 */
export interface CacheEntry<TValue = unknown> {
  /** The cached output of the inner primitive. */
  readonly value: TValue;
  /** When the value was stored. */
  readonly storedAt: number;
  /** When the value stops being fresh. */
  readonly expiresAt: number;
  /** When the value may no longer be served, even stale. Never before `expiresAt`. */
  readonly staleUntil: number;
}

/**
 * Where a `CachePrimitive` keeps its entries. Every method is async so that a shared store (Redis,
 * a database) fits; the in-memory default resolves at once.
 *
 * A store decides its own eviction (for example LRU by `maxEntries`); the cache decides freshness
 * from the entry's timestamps, so a store may keep expired entries and return them: the cache
 * treats an entry past `staleUntil` as a miss and deletes it. A store may also expire entries by
 * itself after `staleUntil` (a Redis `PX` for instance).
 */
export interface CacheStore<TValue = unknown> {
  /** The version of this interface the implementation was written against; this release supports 1. */
  readonly specificationVersion: 1;
  /** The entry stored under `key`, or `undefined`. A hit may refresh the entry's recency (LRU). */
  get(key: string): Promise<CacheEntry<TValue> | undefined>;
  /** Stores `entry` under `key`, replacing any previous entry. */
  set(key: string, entry: CacheEntry<TValue>): Promise<void>;
  /** Removes the entry under `key`; resolves `true` when there was one. */
  delete(key: string): Promise<boolean>;
  /** Removes every entry. Optional: `CachePrimitive.clear()` rejects when the store has none. */
  clear?(): Promise<void>;
  /**
   * Optional: a lock on one key shared by every process that uses the store, for single flight
   * across processes. Resolves with a {@link CacheLease} when this caller now holds `key` (for at
   * most `ttlMs`, even if it never releases it), or `undefined` while another caller holds it.
   * When a store offers it, a `CachePrimitive` that misses a key computes it only under the key's
   * lease; other processes wait for the entry the holder stores (or for its lease to expire).
   */
  acquireLease?(key: string, ttlMs: number): Promise<CacheLease | undefined>;
}

/** A held lease of {@link CacheStore.acquireLease}. */
export interface CacheLease {
  /** Frees the key before the lease expires; a lease that expired meanwhile is left alone. */
  release(): Promise<void>;
}
