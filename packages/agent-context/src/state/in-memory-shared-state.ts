import { InvalidOptionsError, type Disposable } from '@tta/primitives';
import { EventEmitter, describeValue, requireMethods, requireOptionsObject, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { StateConflictError } from '../errors/state-conflict-error.js';
import { copyPlainData } from '../data/copy-plain-data.js';
import { assertWellFormedName } from '../data/assert-well-formed-name.js';
import { assertStateAddress, assertStateScope } from './assert-state-address.js';
import {
  formatAddress,
  matchesFilter,
  type SharedState,
  type StateAddress,
  type StateChange,
  type StateChangeFilter,
  type StateChangeListener,
  type StateEntry,
  type StateScope,
  type StateWriteOptions,
} from './shared-state.js';

/** Options of {@link InMemorySharedState}. */
export interface InMemorySharedStateOptions {
  /** Clock for `updatedAt` and TTLs. @default systemClock */
  readonly clock?: Clock;
}

/** Writes between two sweeps of expired entries that nobody read again. */
const SWEEP_EVERY_WRITES = 256;

/**
 * The {@link SharedState} of one process: a map per scope and scope id. Compare-and-set is atomic
 * because the check and the write happen in one synchronous step. Subscribers are called
 * synchronously after each write, with a copy of the entry.
 *
 * @example
 * ```ts
 * const state = new InMemorySharedState();
 * const entry = await state.set({ scope: 'workflow', scopeId: context.correlationId, key: 'plan' }, plan);
 * ```
 */
export class InMemorySharedState implements SharedState {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly clock: Clock;
  private readonly scopes = new Map<string, Map<string, StateEntry>>();
  private readonly changes = new EventEmitter<StateChange>();
  private writesSinceSweep = 0;

  constructor(options: InMemorySharedStateOptions = {}) {
    requireOptionsObject('InMemorySharedState', options, { optional: true });
    const clock = options.clock ?? systemClock;
    requireMethods('InMemorySharedState', 'clock', clock, { methods: ['now'], description: 'a Clock' });
    this.clock = clock;
  }

  get<T = unknown>(address: StateAddress): Promise<StateEntry<T> | undefined> {
    const refused = refuseAddress(address);
    if (refused !== undefined) return refused;
    const entry = this.current(address);
    return Promise.resolve(entry === undefined ? undefined : (structuredClone(entry) as StateEntry<T>));
  }

  set<T>(address: StateAddress, value: T, options: StateWriteOptions = {}): Promise<StateEntry<T>> {
    try {
      return Promise.resolve(this.write(address, value, options, undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  compareAndSet<T>(address: StateAddress, expectedVersion: number, value: T, options: StateWriteOptions = {}): Promise<StateEntry<T>> {
    try {
      return Promise.resolve(this.write(address, value, options, expectedVersion));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(address: StateAddress, expectedVersion?: number): Promise<boolean> {
    const refused = refuseAddress(address);
    if (refused !== undefined) return refused;
    const entry = this.current(address);
    const actual = entry?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== actual) {
      return Promise.reject(new StateConflictError(formatAddress(address), expectedVersion, actual));
    }
    if (entry === undefined) return Promise.resolve(false);
    this.bucket(address.scope, address.scopeId, false)?.delete(address.key);
    this.notify({ scope: address.scope, scopeId: address.scopeId, key: address.key, type: 'delete', entry: undefined, previousVersion: actual });
    return Promise.resolve(true);
  }

  keys(scope: StateScope, scopeId: string, keyPrefix?: string): Promise<string[]> {
    try {
      assertStateScope('SharedState', scope);
      assertWellFormedName('SharedState', 'scopeId', scopeId, { allowEmpty: true });
      // A prefix Redis would compare as U+FFFD would list other keys there than here.
      if (keyPrefix !== undefined) assertWellFormedName('SharedState', 'keyPrefix', keyPrefix, { allowEmpty: true });
    } catch (error) {
      return Promise.reject(error);
    }
    const bucket = this.bucket(scope, scopeId, false);
    if (bucket === undefined) return Promise.resolve([]);
    const now = this.clock.now();
    const keys: string[] = [];
    for (const [key, entry] of bucket) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) bucket.delete(key);
      else if (keyPrefix === undefined || key.startsWith(keyPrefix)) keys.push(key);
    }
    return Promise.resolve(keys.sort());
  }

  subscribe(filter: StateChangeFilter, listener: StateChangeListener): Promise<Disposable> {
    return Promise.resolve(
      this.changes.event((change) => {
        if (matchesFilter(filter, change)) listener(change);
      }),
    );
  }

  /** Removes every expired entry now (they are also removed lazily when read). */
  sweepExpired(): void {
    const now = this.clock.now();
    for (const [scopeKey, bucket] of this.scopes) {
      for (const [key, entry] of bucket) if (entry.expiresAt !== undefined && entry.expiresAt <= now) bucket.delete(key);
      if (bucket.size === 0) this.scopes.delete(scopeKey);
    }
  }

  private write<T>(address: StateAddress, value: T, options: StateWriteOptions, expectedVersion: number | undefined): StateEntry<T> {
    assertStateAddress('SharedState', address);
    if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('InMemorySharedState', 'options', `of a write must be an object when given (got ${describeValue(options)})`);
    const ttlMs = options.ttlMs;
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new InvalidOptionsError('InMemorySharedState', 'ttlMs', `must be a positive number (got ${describeValue(ttlMs)})`);
    }
    if (options.updatedBy !== undefined) assertWellFormedName('SharedState', 'updatedBy', options.updatedBy);
    // The same plain-data rule as the Redis store: both accept the same values and give back the same.
    const stored = copyPlainData('SharedState', `the value of "${formatAddress(address)}"`, value);
    const previous = this.current(address);
    const previousVersion = previous?.version ?? 0;
    if (expectedVersion !== undefined && expectedVersion !== previousVersion) {
      throw new StateConflictError(formatAddress(address), expectedVersion, previousVersion);
    }
    // Whole milliseconds, as Redis keeps them: a fraction of the clock reading is noise in a record.
    const now = Math.floor(this.clock.now());
    const entry: StateEntry<T> = {
      scope: address.scope,
      scopeId: address.scopeId,
      key: address.key,
      value: stored,
      version: previousVersion + 1,
      updatedAt: now,
      ...(ttlMs === undefined ? {} : { expiresAt: now + Math.ceil(ttlMs) }),
      ...(options.updatedBy === undefined ? {} : { updatedBy: options.updatedBy }),
    };
    this.bucket(address.scope, address.scopeId, true)!.set(address.key, entry);
    if (++this.writesSinceSweep >= SWEEP_EVERY_WRITES) {
      this.writesSinceSweep = 0;
      this.sweepExpired();
    }
    const result = structuredClone(entry);
    if (this.changes.hasListeners) {
      this.notify({ scope: address.scope, scopeId: address.scopeId, key: address.key, type: 'set', entry: structuredClone(entry), previousVersion });
    }
    return result;
  }

  private notify(change: StateChange): void {
    if (this.changes.hasListeners) this.changes.emit(change);
  }

  private current(address: StateAddress): StateEntry | undefined {
    const bucket = this.bucket(address.scope, address.scopeId, false);
    const entry = bucket?.get(address.key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) {
      bucket!.delete(address.key);
      return undefined;
    }
    return entry;
  }

  private bucket(scope: StateScope, scopeId: string, create: boolean): Map<string, StateEntry> | undefined {
    const scopeKey = `${scope}\u0000${scopeId}`;
    let bucket = this.scopes.get(scopeKey);
    if (bucket === undefined && create) {
      bucket = new Map();
      this.scopes.set(scopeKey, bucket);
    }
    return bucket;
  }
}

/** The rejection for an address that {@link assertStateAddress} refuses, or undefined when it is fine. */
function refuseAddress(address: StateAddress): Promise<never> | undefined {
  try {
    assertStateAddress('SharedState', address);
    return undefined;
  } catch (error) {
    return Promise.reject(error);
  }
}
