import { assertDuration } from '../core/duration.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import { WorkflowContext } from '../core/workflow-context.js';
import { LazyAbort, sleep, untilAborted } from '../core/abort.js';
import { assertClock, type Clock } from '../core/clock.js';
import { EventEmitter, reportListenerError, type Event } from '../core/disposable.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireFunction, requireInteger, requireMethods, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { describeValue } from '../core/describe-value.js';
import { emitPrimitiveEvent, instrumentations } from '../observability/instrumentation.js';
import type { CacheEntry, CacheLease, CacheStore } from './cache-store.js';
import { InMemoryCacheStore } from './in-memory-cache-store.js';
import { assertSpecificationVersion } from '../core/specification-version.js';
import { stableKey } from './stable-key.js';
import { UnkeyableInputError } from '../errors/unkeyable-input-error.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';
import { describeStore } from '../core/describe.js';

/** Options of {@link CachePrimitive}. */
export interface CacheOptions<TInput, TOutput> extends PrimitiveOptions {
  /**
   * Names the entry of an input; inputs with the same key share one entry and one in-flight run.
   * Give one for inputs the default refuses with `UnkeyableInputError` (class instances without
   * `toJSON`, unique symbols, cycles...), or to key by only the fields that matter.
   * @default `stableKey(input)`: the input itself when it is a string, otherwise an encoding of its content with sorted object keys
   * @example
   * <!-- snippet-prelude: declare const complete: WorkflowPrimitive<{ readonly model: string; readonly prompt: string }, string>; -->
   * ```ts
   * cache(complete, { key: (request) => `${request.model}:${request.prompt}` });
   * ```
   */
  readonly key?: (input: TInput, context: WorkflowContext) => string;
  /**
   * How long a stored value is fresh, in milliseconds.
   * @default Infinity (kept until evicted or invalidated)
   */
  readonly ttlMs?: number;
  /**
   * Capacity of the default in-memory store (least recently used entries are evicted). Not allowed
   * together with `store`: a custom store manages its own capacity.
   * @default 1000
   */
  readonly maxEntries?: number;
  /**
   * After `ttlMs`, how long a stale value may still be served while one background run refreshes
   * it. `0` turns stale-while-revalidate off.
   * @default 0
   */
  readonly staleWhileRevalidateMs?: number;
  /**
   * Where entries live, for example a `RedisCacheStore` from `@tta/redis` to share a cache between
   * processes.
   * @default new InMemoryCacheStore({ maxEntries })
   */
  readonly store?: CacheStore<TOutput>;
  /** Source of time for freshness. @default the context's clock */
  readonly clock?: Clock;
  /**
   * With a store that offers leases ({@link CacheStore.acquireLease}, as `RedisCacheStore` does):
   * how long the lease on a missed key lasts. The holder computes the value; callers in other
   * processes wait for its entry, and take the key over when a holder that died lets the lease
   * expire. Give it more than the inner primitive takes; a run longer than it may be computed twice.
   * @default 15000
   */
  readonly leaseMs?: number;
  /**
   * With a store that offers leases: how often a caller waiting on another process's lease looks
   * for the entry (and for the lease to be free).
   * @default 25
   */
  readonly leasePollMs?: number;
}

/** Counters of a {@link CachePrimitive} since it was created. */
export interface CacheStats {
  /** Calls answered from the cache, fresh or stale. */
  readonly hits: number;
  /** Calls not answered from the cache (including those that joined an in-flight run). */
  readonly misses: number;
  /** Of the hits, those answered with a stale value (stale-while-revalidate). */
  readonly staleHits: number;
  /** Entries removed by the cache: least recently used ones over capacity, and expired ones. */
  readonly evictions: number;
  /** Entries in the store, when the store tells (the in-memory store does); otherwise undefined. */
  readonly size: number | undefined;
  /** `hits / (hits + misses)`, `0` before the first call. */
  readonly hitRatio: number;
}

/** Payload of {@link CachePrimitive.onHit}. */
export interface CacheHitEvent {
  readonly key: string;
  /** True when the value was stale (a background refresh runs or is already running). */
  readonly stale: boolean;
  /** Age of the served value in milliseconds. */
  readonly ageMs: number;
}

/** Payload of {@link CachePrimitive.onMiss}. */
export interface CacheMissEvent {
  readonly key: string;
  /** True when the call joined a run already in flight for the key instead of starting one. */
  readonly joined: boolean;
}

/** Payload of {@link CachePrimitive.onStale}. */
export interface CacheStaleEvent {
  readonly key: string;
  readonly ageMs: number;
  /** True when this call started the background refresh (false: one was already running). */
  readonly refreshStarted: boolean;
}

/** Payload of {@link CachePrimitive.onEvict}. */
export interface CacheEvictEvent {
  readonly key: string;
  /** `'capacity'`: least recently used, over `maxEntries`; `'expired'`: past its stale window. */
  readonly reason: 'capacity' | 'expired';
}

/** Payload of {@link CachePrimitive.onError}: a failure the cache absorbed instead of failing a call. */
export interface CacheErrorEvent {
  readonly key: string;
  /**
   * `'refresh'`: a background refresh failed (the stale value stays); `'get' | 'set' | 'delete'`: the store
   * failed; `'lease'`: taking or releasing a key's lease failed (the call computed the value without one).
   */
  readonly phase: 'refresh' | 'get' | 'set' | 'delete' | 'lease';
  readonly error: unknown;
}

interface Flight<TOutput> {
  promise: Promise<TOutput>;
  readonly scope: LazyAbort;
  waiters: number;
  /** A refresh nobody waits for; becomes a normal run as soon as a caller joins it. */
  background: boolean;
}

/** The synchronous side of the built-in store, used to keep the hit path free of extra promises. */
type SyncStore<TOutput> = Pick<InMemoryCacheStore<TOutput>, 'getSync' | 'setSync' | 'deleteSync' | 'size'>;

/**
 * Caches the outputs of an inner primitive by key, with a time to live, LRU capacity,
 * stale-while-revalidate and single-flight: concurrent misses for one key run the inner primitive
 * once and share its outcome. Failures are never cached.
 *
 * A caller that aborts while waiting for an in-flight run leaves at once; the run goes on for the
 * others and is aborted only when every waiting caller has left. The run gets a context derived
 * from the caller that started it, with its own signal.
 *
 * @example
 * ```ts
 * const cached = new CachePrimitive(llm, { ttlMs: 10 * 60_000, maxEntries: 500, staleWhileRevalidateMs: 60_000 });
 * await cached.execute(context, 'What is TTA?'); // runs llm
 * await cached.execute(context, 'What is TTA?'); // served from the cache
 * cached.stats(); // { hits: 1, misses: 1, hitRatio: 0.5, ... }
 * ```
 */
export class CachePrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  /** The cached primitive. */
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  /** Where the entries live. */
  readonly store: CacheStore<TOutput>;
  /** Freshness of an entry in milliseconds. */
  readonly ttlMs: number;
  /** Stale window after `ttlMs` in milliseconds. */
  readonly staleWhileRevalidateMs: number;
  /** Lease on a missed key, with a store that offers leases. */
  readonly leaseMs: number;
  /** Poll interval of a caller waiting on another process's lease. */
  readonly leasePollMs: number;

  private readonly keyFunction: ((input: TInput, context: WorkflowContext) => string) | undefined;
  private readonly clock: Clock | undefined;
  private readonly syncStore: SyncStore<TOutput> | undefined;
  private readonly flights = new Map<string, Flight<TOutput>>();
  private hits = 0;
  private misses = 0;
  private staleHits = 0;
  private evictions = 0;

  private readonly hitEmitter = new EventEmitter<CacheHitEvent>();
  private readonly missEmitter = new EventEmitter<CacheMissEvent>();
  private readonly staleEmitter = new EventEmitter<CacheStaleEvent>();
  private readonly evictEmitter = new EventEmitter<CacheEvictEvent>();
  private readonly errorEmitter = new EventEmitter<CacheErrorEvent>();

  /** Every call answered from the cache (fresh or stale). */
  readonly onHit: Event<CacheHitEvent> = this.hitEmitter.event;
  /** Every call not answered from the cache. */
  readonly onMiss: Event<CacheMissEvent> = this.missEmitter.event;
  /** Every call answered with a stale value. */
  readonly onStale: Event<CacheStaleEvent> = this.staleEmitter.event;
  /** Every entry the cache removed (capacity or expiry); not `invalidate`/`clear`. */
  readonly onEvict: Event<CacheEvictEvent> = this.evictEmitter.event;
  /**
   * Failures the cache absorbed: a failed background refresh, a failing store. They never fail a
   * call. Without a listener, store failures are reported as uncaught errors on a fresh task and
   * refresh failures are dropped (the stale value is served until its window ends).
   */
  readonly onError: Event<CacheErrorEvent> = this.errorEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: CacheOptions<TInput, TOutput> = {}) {
    super('cache', withWrapperName('cache', inner, options));
    requirePrimitive('CachePrimitive', 'inner', inner);
    requireOptionsObject('CachePrimitive', options);
    const ttlMs = options.ttlMs ?? Infinity;
    assertDuration('CachePrimitive', 'ttlMs', ttlMs, { positive: true, infinity: true });
    const staleWhileRevalidateMs = options.staleWhileRevalidateMs ?? 0;
    assertDuration('CachePrimitive', 'staleWhileRevalidateMs', staleWhileRevalidateMs, { infinity: true });
    const leaseMs = options.leaseMs ?? 15_000;
    assertDuration('CachePrimitive', 'leaseMs', leaseMs, { positive: true });
    const leasePollMs = options.leasePollMs ?? 25;
    assertDuration('CachePrimitive', 'leasePollMs', leasePollMs, { positive: true });
    requireFunction('CachePrimitive', 'key', options.key, { optional: true, signature: '(input, context) => string' });
    requireMethods('CachePrimitive', 'clock', options.clock, { optional: true, methods: ['now'], description: 'a Clock (now())' });
    if (options.store !== undefined) {
      requireMethods('CachePrimitive', 'store', options.store, { methods: ['get', 'set', 'delete'], description: 'a CacheStore (async get, set and delete)' });
      assertSpecificationVersion('CachePrimitive', 'store', options.store);
      if (options.maxEntries !== undefined) {
        throw new InvalidOptionsError('CachePrimitive', 'maxEntries', 'cannot be combined with "store": give the capacity to the store');
      }
      this.store = options.store;
    } else {
      const maxEntries = options.maxEntries ?? 1000;
      requireInteger('CachePrimitive', 'maxEntries', maxEntries, { min: 1, infinity: true });
      this.store = new InMemoryCacheStore<TOutput>({ maxEntries, onEvict: (key) => this.evicted(key, 'capacity', undefined) });
    }
    // Only a store of this package (whatever its owner) is used synchronously: a subclass may override the async methods.
    this.syncStore = this.store instanceof InMemoryCacheStore && Object.getPrototypeOf(this.store) === InMemoryCacheStore.prototype ? this.store : undefined;
    this.inner = inner;
    this.ttlMs = ttlMs;
    this.staleWhileRevalidateMs = staleWhileRevalidateMs;
    this.leaseMs = leaseMs;
    this.leasePollMs = leasePollMs;
    this.keyFunction = options.key;
    assertClock('CachePrimitive', options.clock);
    this.clock = options.clock;
  }

  /** The key the cache uses for `input` (what {@link invalidate} expects). */
  keyOf(input: TInput, context: WorkflowContext): string {
    const keyFunction = this.keyFunction;
    if (keyFunction === undefined) {
      try {
        return stableKey(input);
      } catch (error) {
        // Named after this cache only on failure, so the hit path builds no message.
        if (!UnkeyableInputError.isInstance(error)) throw error;
        throw new UnkeyableInputError(`cache "${this.name}"`, error.path, error.reason, { cause: error.cause });
      }
    }
    const key = keyFunction(input, context);
    if (typeof key !== 'string') throw new InvalidInputError(`cache "${this.name}"`, `the key function returned ${describeValue(key)}, expected a string`);
    return key;
  }

  /** Counters since creation, with the store's size when known. */
  stats(): CacheStats {
    const { hits, misses } = this;
    const size = (this.store as { readonly size?: unknown }).size;
    return {
      hits,
      misses,
      staleHits: this.staleHits,
      evictions: this.evictions,
      size: typeof size === 'number' ? size : undefined,
      hitRatio: hits + misses === 0 ? 0 : hits / (hits + misses),
    };
  }

  /**
   * Removes the entry of `key`; a run in flight for it still answers its callers but no longer
   * stores its result. Resolves `true` when an entry was removed.
   */
  invalidate(key: string): Promise<boolean> {
    this.flights.delete(key);
    return this.store.delete(key);
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return {
      ttlMs: this.ttlMs,
      staleWhileRevalidateMs: this.staleWhileRevalidateMs,
      maxEntries: this.store instanceof InMemoryCacheStore ? this.store.maxEntries : undefined,
      store: describeStore(this.store),
      key: this.keyFunction,
    };
  }

  /** Removes every entry (the store must implement `clear`); in-flight runs no longer store their results. */
  clear(): Promise<void> {
    this.flights.clear();
    if (typeof this.store.clear !== 'function') {
      return Promise.reject(new TypeError(`cache "${this.name}": the store has no clear(); invalidate keys one by one`));
    }
    return this.store.clear();
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const key = this.keyOf(input, context);
    const sync = this.syncStore;
    if (sync !== undefined) return this.lookup(context, input, key, sync.getSync(key));
    const flight = this.flights.get(key);
    // A stampede on a shared store: join the run in flight instead of asking the store again.
    if (flight !== undefined && !flight.background) return this.miss(context, input, key, flight);
    return this.store.get(key).then(
      (entry) => (context.aborted ? Promise.reject(context.abortReason) : this.lookup(context, input, key, entry)),
      (error: unknown) => {
        this.absorb(key, 'get', error, context);
        return context.aborted ? Promise.reject(context.abortReason) : this.lookup(context, input, key, undefined);
      },
    );
  }

  private lookup(context: WorkflowContext, input: TInput, key: string, entry: CacheEntry<TOutput> | undefined): Promise<TOutput> {
    if (entry !== undefined) {
      const expiresAt = entry.expiresAt;
      // An entry that never expires needs no clock read.
      const now = expiresAt === Infinity ? 0 : (this.clock ?? context.clock).now();
      if (now < expiresAt) {
        this.hits++;
        if (this.hitEmitter.hasListeners || instrumentations.list.length !== 0) this.reportHit(context, key, entry, false);
        return Promise.resolve(entry.value);
      }
      if (now < entry.staleUntil) return this.serveStale(context, input, key, entry, now);
      this.removeExpired(context, key);
    }
    return this.miss(context, input, key, this.flights.get(key));
  }

  private serveStale(context: WorkflowContext, input: TInput, key: string, entry: CacheEntry<TOutput>, now: number): Promise<TOutput> {
    this.hits++;
    this.staleHits++;
    const refreshStarted = !this.flights.has(key);
    if (refreshStarted) this.startFlight(context, input, key, true);
    this.reportHit(context, key, entry, true);
    const event: CacheStaleEvent = { key, ageMs: now - entry.storedAt, refreshStarted };
    this.staleEmitter.emit(event);
    emitPrimitiveEvent({ type: 'cache-stale', ...event }, this, context);
    return Promise.resolve(entry.value);
  }

  private miss(context: WorkflowContext, input: TInput, key: string, existing: Flight<TOutput> | undefined): Promise<TOutput> {
    this.misses++;
    const flight = existing ?? this.startFlight(context, input, key, false);
    if (this.missEmitter.hasListeners || instrumentations.list.length !== 0) {
      const event: CacheMissEvent = { key, joined: existing !== undefined };
      this.missEmitter.emit(event);
      emitPrimitiveEvent({ type: 'cache-miss', ...event }, this, context);
    }
    return this.wait(context, key, flight);
  }

  private reportHit(context: WorkflowContext, key: string, entry: CacheEntry<TOutput>, stale: boolean): void {
    const event: CacheHitEvent = { key, stale, ageMs: (this.clock ?? context.clock).now() - entry.storedAt };
    this.hitEmitter.emit(event);
    if (!stale) emitPrimitiveEvent({ type: 'cache-hit', ...event }, this, context);
  }

  private startFlight(context: WorkflowContext, input: TInput, key: string, background: boolean): Flight<TOutput> {
    // The run has its own abort scope: one caller leaving must not cancel it for the others.
    const scope = new LazyAbort(undefined);
    const flight: Flight<TOutput> = { promise: undefined as unknown as Promise<TOutput>, scope, waiters: 0, background };
    this.flights.set(key, flight);
    flight.promise = this.load(WorkflowContext.derive(context, {}, scope), input, key, flight);
    // The outcome reaches the callers through `wait`; these handlers only keep a run that nobody
    // awaits (a background refresh, an abandoned run) from becoming an unhandled rejection.
    if (background) flight.promise.catch((error: unknown) => this.absorb(key, 'refresh', error, context));
    else flight.promise.catch(noop);
    return flight;
  }

  private async load(context: WorkflowContext, input: TInput, key: string, flight: Flight<TOutput>): Promise<TOutput> {
    try {
      if (this.store.acquireLease !== undefined && this.syncStore === undefined) return await this.loadUnderLease(context, input, key, flight);
      return await this.compute(context, input, key, flight);
    } finally {
      if (this.flights.get(key) === flight) this.flights.delete(key);
      flight.scope.release();
    }
  }

  private async compute(context: WorkflowContext, input: TInput, key: string, flight: Flight<TOutput>): Promise<TOutput> {
    const value = await this.inner.execute(context, input);
    // Invalidated, cleared or abandoned meanwhile: answer the callers but do not store.
    if (this.flights.get(key) === flight && !flight.scope.aborted) await this.write(context, key, value);
    return value;
  }

  /**
   * Single flight across processes: only the holder of the key's lease computes it; a caller that
   * finds the key leased waits for the holder's entry, and takes the lease when a holder that died
   * lets it expire. A store that cannot lease right now (it failed) leaves the call to compute alone.
   */
  private async loadUnderLease(context: WorkflowContext, input: TInput, key: string, flight: Flight<TOutput>): Promise<TOutput> {
    const store = this.store as Required<Pick<CacheStore<TOutput>, 'acquireLease'>> & CacheStore<TOutput>;
    const clock = this.clock ?? context.clock;
    for (let first = true; ; first = false) {
      // Waiting on another holder: its entry may be there now.
      if (!first) {
        const entry = await this.freshEntry(context, key, clock);
        if (entry !== undefined) return entry.value;
      }
      let lease: CacheLease | undefined;
      try {
        lease = await store.acquireLease(key, this.leaseMs);
      } catch (error) {
        this.absorb(key, 'lease', error, context);
        return this.compute(context, input, key, flight);
      }
      if (lease !== undefined) {
        try {
          // The previous holder may have stored the value and released the key just before this lease.
          const entry = await this.freshEntry(context, key, clock);
          return entry !== undefined ? entry.value : await this.compute(context, input, key, flight);
        } finally {
          lease.release().then(undefined, (error: unknown) => this.absorb(key, 'lease', error, context));
        }
      }
      await sleep(this.leasePollMs, context.signal, clock);
    }
  }

  /** The key's entry when it is fresh now; a store failure counts as no entry. */
  private async freshEntry(context: WorkflowContext, key: string, clock: Clock): Promise<CacheEntry<TOutput> | undefined> {
    let entry: CacheEntry<TOutput> | undefined;
    try {
      entry = await this.store.get(key);
    } catch (error) {
      this.absorb(key, 'get', error, context);
      return undefined;
    }
    return entry !== undefined && clock.now() < entry.expiresAt ? entry : undefined;
  }

  private write(context: WorkflowContext, key: string, value: TOutput): Promise<void> | undefined {
    const now = (this.clock ?? context.clock).now();
    const expiresAt = now + this.ttlMs;
    const entry: CacheEntry<TOutput> = { value, storedAt: now, expiresAt, staleUntil: expiresAt + this.staleWhileRevalidateMs };
    const sync = this.syncStore;
    if (sync !== undefined) {
      sync.setSync(key, entry);
      return undefined;
    }
    return this.store.set(key, entry).then(undefined, (error: unknown) => this.absorb(key, 'set', error, context));
  }

  private wait(context: WorkflowContext, key: string, flight: Flight<TOutput>): Promise<TOutput> {
    flight.waiters++;
    // Once a caller waits for a refresh, the callers own it: it stops when they have all left.
    flight.background = false;
    const abort = context._abort;
    // Nothing can cancel this caller: it waits for the outcome like any other awaiter.
    if (abort === undefined) return flight.promise;
    if (abort.aborted) {
      this.leave(key, flight, abort.abortReason);
      return Promise.reject(abort.abortReason);
    }
    return untilAborted(flight.promise, abort, (reason) => this.leave(key, flight, reason));
  }

  private leave(key: string, flight: Flight<TOutput>, reason: unknown): void {
    flight.waiters--;
    if (flight.waiters > 0 || flight.background) return;
    // Nobody waits any more: stop the run, and let the next caller start a fresh one.
    if (this.flights.get(key) === flight) this.flights.delete(key);
    flight.scope.abort(reason);
  }

  private removeExpired(context: WorkflowContext, key: string): void {
    const sync = this.syncStore;
    if (sync !== undefined) sync.deleteSync(key);
    else this.store.delete(key).then(undefined, (error: unknown) => this.absorb(key, 'delete', error, context));
    this.evicted(key, 'expired', context);
  }

  private evicted(key: string, reason: CacheEvictEvent['reason'], context: WorkflowContext | undefined): void {
    this.evictions++;
    if (!this.evictEmitter.hasListeners && instrumentations.list.length === 0) return;
    const event: CacheEvictEvent = { key, reason };
    this.evictEmitter.emit(event);
    emitPrimitiveEvent({ type: 'cache-evict', ...event }, this, context);
  }

  private absorb(key: string, phase: CacheErrorEvent['phase'], error: unknown, context: WorkflowContext): void {
    const event: CacheErrorEvent = { key, phase, error };
    emitPrimitiveEvent({ type: 'cache-error', key, phase, error }, this, context);
    if (this.errorEmitter.hasListeners) this.errorEmitter.emit(event);
    // A failed refresh is expected now and then (the stale value stays); a failing store is not.
    else if (phase !== 'refresh') reportListenerError(error);
  }
}

const noop = (): void => {};

/**
 * Caches `inner`'s outputs: the factory form of {@link CachePrimitive}.
 *
 * @example
 * ```ts
 * const answer = cache(llm, { ttlMs: 60_000, maxEntries: 1_000 });
 * ```
 */
export function cache<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: CacheOptions<TInput, TOutput> = {}): CachePrimitive<TInput, TOutput> {
  return new CachePrimitive(inner, options);
}
