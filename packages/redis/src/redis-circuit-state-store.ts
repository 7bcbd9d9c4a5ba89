import type { CircuitSnapshot, CircuitStateStore } from '@tta/primitives';
import { assertDuration } from '@tta/primitives/instrumentation';
import { resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard } from './redis-call.js';
import { storeKey } from './key-layout.js';
import { assertOptionsObject } from './validate-options.js';

/** Options of {@link RedisCircuitStateStore}. */
export interface RedisCircuitStateStoreOptions extends RedisStoreOptions {
  /**
   * Forget a breaker's snapshot this long after its last save (a breaker nobody uses any more
   * stops taking space). `0`: keep forever.
   * @default 86_400_000 (one day)
   */
  readonly ttlMs?: number;
}

/**
 * A `CircuitStateStore` in Redis: breakers with the same key in several processes share their
 * state, so when one process sees the dependency fail and opens the circuit, the others load the
 * open state instead of hammering it too. Snapshots are stored as JSON under
 * `<prefix>circuit:{<key>}` (the key escaped, see the key layout); the last save wins.
 *
 * @example
 * ```ts
 * const store = new RedisCircuitStateStore({ connection: redis });
 * const guarded = circuitBreaker(llm, { failureThreshold: 5, breakDurationMs: 30_000, store, key: 'llm' });
 * ```
 */
export class RedisCircuitStateStore implements CircuitStateStore {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(options: RedisCircuitStateStoreOptions = {}) {
    assertOptionsObject('RedisCircuitStateStore', options, ['connection', 'prefix', 'ttlMs'] satisfies (keyof RedisCircuitStateStoreOptions)[]);
    const ttlMs = options.ttlMs ?? 86_400_000;
    assertDuration('RedisCircuitStateStore', 'ttlMs', ttlMs, { integer: true });
    this.prefix = validatePrefix('RedisCircuitStateStore', options.prefix);
    this.ttlMs = ttlMs;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  async load(key: string): Promise<CircuitSnapshot | undefined> {
    const text = await guard('RedisCircuitStateStore.load', () => this.client.get(this.redisKey(key)));
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as CircuitSnapshot;
    } catch {
      return undefined;
    }
  }

  async save(key: string, snapshot: CircuitSnapshot): Promise<void> {
    const text = JSON.stringify(snapshot);
    const redisKey = this.redisKey(key);
    if (this.ttlMs > 0) await guard('RedisCircuitStateStore.save', () => this.client.set(redisKey, text, 'PX', this.ttlMs));
    else await guard('RedisCircuitStateStore.save', () => this.client.set(redisKey, text));
  }

  /** Forgets the snapshot under `key`; true when there was one. */
  async delete(key: string): Promise<boolean> {
    return (await guard('RedisCircuitStateStore.delete', () => this.client.del(this.redisKey(key)))) > 0;
  }

  /** Closes the connection when the store created it. */
  async close(): Promise<void> {
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private redisKey(key: string): string {
    return storeKey(this.prefix, 'circuit', key);
  }
}
