import { randomUUID } from 'node:crypto';
import { InvalidInputError, InvalidOptionsError, type CacheEntry, type CacheLease, type CacheStore } from '@tta/primitives';
import { describeValue, requireNonEmptyString } from '@tta/primitives/instrumentation';
import { resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard, LuaScript } from './redis-call.js';
import { deleteByPattern } from './scan.js';
import { startsWithPattern, storeKey } from './key-layout.js';
import { assertOptionsObject } from './validate-options.js';

// Frees a lease only while it is still the caller's: one that expired may be another process's now.
const releaseLeaseScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/** Options of {@link RedisCacheStore}. */
export interface RedisCacheStoreOptions extends RedisStoreOptions {
  /**
   * Name of this cache inside the prefix: keys are `<prefix>cache:{<namespace>}:<cache key>` (the
   * namespace escaped), so several caches share a server, no namespace reads another's entries,
   * and `clear()` empties only its own. Any non-empty string.
   * @default 'default'
   */
  readonly namespace?: string;
  /** Turns an entry into the stored string. @default JSON.stringify (Infinity times kept) */
  readonly serialize?: (entry: CacheEntry<unknown>) => string;
  /** Turns a stored string back into an entry. @default JSON.parse */
  readonly deserialize?: (text: string) => CacheEntry<unknown>;
}

interface StoredEntry {
  readonly value: unknown;
  readonly storedAt: number;
  readonly expiresAt: number | null;
  readonly staleUntil: number | null;
}

const defaultSerialize = (entry: CacheEntry<unknown>): string =>
  JSON.stringify({
    value: entry.value,
    storedAt: entry.storedAt,
    // JSON has no Infinity: an entry without TTL is stored with null times.
    expiresAt: Number.isFinite(entry.expiresAt) ? entry.expiresAt : null,
    staleUntil: Number.isFinite(entry.staleUntil) ? entry.staleUntil : null,
  } satisfies StoredEntry);

const defaultDeserialize = (text: string): CacheEntry<unknown> => {
  const stored = JSON.parse(text) as StoredEntry;
  return {
    value: stored.value,
    storedAt: stored.storedAt,
    expiresAt: stored.expiresAt ?? Infinity,
    staleUntil: stored.staleUntil ?? Infinity,
  };
};

/**
 * A `CacheStore` in Redis, so that the `CachePrimitive`s of several processes share their
 * entries: what one process computed is a hit for the others. Values are stored as JSON (they
 * must survive a JSON round trip); every entry expires on the server when it may no longer be
 * served (`PX` = `staleUntil - storedAt`), so Redis never keeps dead entries. Capacity is Redis's
 * business (`maxmemory` with an `allkeys-lru` policy); the cache's `maxEntries` does not apply.
 *
 * @example
 * ```ts
 * const store = new RedisCacheStore({ connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, namespace: 'llm' });
 * const cached = cache(llm, { ttlMs: 60_000, store });
 * ```
 */
export class RedisCacheStore<TValue = unknown> implements CacheStore<TValue> {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  /** The key prefix of this cache's entries, `<prefix>cache:{<escaped namespace>}:`. */
  readonly keyPrefix: string;
  // `<prefix>flight:{<namespace>}:`: the leases of missed keys, on the slot of the namespace's entries.
  private readonly leasePrefix: string;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly serialize: (entry: CacheEntry<unknown>) => string;
  private readonly deserialize: (text: string) => CacheEntry<unknown>;

  constructor(options: RedisCacheStoreOptions = {}) {
    assertOptionsObject('RedisCacheStore', options, ['connection', 'prefix', 'namespace', 'serialize', 'deserialize'] satisfies (keyof RedisCacheStoreOptions)[]);
    const prefix = validatePrefix('RedisCacheStore', options.prefix);
    const namespace = options.namespace ?? 'default';
    // Any name is safe: the key layout escapes it and clear() escapes its SCAN pattern.
    requireNonEmptyString('RedisCacheStore', 'namespace', namespace);
    for (const name of ['serialize', 'deserialize'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new InvalidOptionsError('RedisCacheStore', name, 'must be a function when given');
      }
    }
    this.keyPrefix = storeKey(prefix, 'cache', namespace, '');
    this.leasePrefix = storeKey(prefix, 'flight', namespace, '');
    this.serialize = options.serialize ?? defaultSerialize;
    this.deserialize = options.deserialize ?? defaultDeserialize;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  async get(key: string): Promise<CacheEntry<TValue> | undefined> {
    const text = await guard('RedisCacheStore.get', () => this.client.get(this.keyPrefix + key));
    if (text === null) return undefined;
    try {
      return this.deserialize(text) as CacheEntry<TValue>;
    } catch {
      // An entry written by an incompatible version is a miss; the next set replaces it.
      return undefined;
    }
  }

  async set(key: string, entry: CacheEntry<TValue>): Promise<void> {
    const text = this.serialize(entry as CacheEntry<unknown>);
    const lifetimeMs = Math.ceil(entry.staleUntil - entry.storedAt);
    const redisKey = this.keyPrefix + key;
    if (Number.isFinite(lifetimeMs)) {
      if (lifetimeMs <= 0) {
        await guard('RedisCacheStore.set', () => this.client.del(redisKey));
        return;
      }
      // Redis takes whole milliseconds up to 2^53 - 1 here; a longer life (a ttlMs of 1e300) is kept that long.
      await guard('RedisCacheStore.set', () => this.client.set(redisKey, text, 'PX', Math.min(lifetimeMs, Number.MAX_SAFE_INTEGER)));
    } else {
      await guard('RedisCacheStore.set', () => this.client.set(redisKey, text));
    }
  }

  async delete(key: string): Promise<boolean> {
    return (await guard('RedisCacheStore.delete', () => this.client.del(this.keyPrefix + key))) > 0;
  }

  /**
   * Takes the lease on a missed key (`SET NX PX` on `<prefix>flight:{<namespace>}:<key>`), so that
   * `CachePrimitive`s in several processes compute it once: resolves with the lease, or `undefined`
   * while another caller holds it. The lease ends after `ttlMs` even if its holder died.
   */
  async acquireLease(key: string, ttlMs: number): Promise<CacheLease | undefined> {
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new InvalidInputError('RedisCacheStore.acquireLease', `ttlMs must be a positive finite number (got ${describeValue(ttlMs)})`);
    const leaseKey = this.leasePrefix + key;
    const token = randomUUID();
    const reply = await guard('RedisCacheStore.acquireLease', () => this.client.set(leaseKey, token, 'PX', Math.min(Math.ceil(ttlMs), Number.MAX_SAFE_INTEGER), 'NX'));
    if (reply !== 'OK') return undefined;
    return {
      release: async () => {
        await guard('RedisCacheStore.releaseLease', () => releaseLeaseScript.run(this.client, [leaseKey], [token]));
      },
    };
  }

  /** Removes every entry of this cache (this namespace only), with `SCAN` + `UNLINK` in batches. */
  async clear(): Promise<void> {
    await guard('RedisCacheStore.clear', () => deleteByPattern(this.client, startsWithPattern(this.keyPrefix)));
  }

  /** Closes the connection when the store created it. */
  async close(): Promise<void> {
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
