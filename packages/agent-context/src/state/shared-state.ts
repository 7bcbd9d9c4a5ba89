import type { Disposable } from '@tta/primitives';

/**
 * Who sees a state entry: `workflow` entries belong to one run (scope id: its correlation id),
 * `session` entries to one user session (scope id: the session id), `global` entries to everyone.
 */
export type StateScope = 'workflow' | 'session' | 'global';

/** The scopes, in order from narrowest to widest. */
export const STATE_SCOPES: readonly StateScope[] = ['workflow', 'session', 'global'];

/** Where a state entry lives. */
export interface StateAddress {
  readonly scope: StateScope;
  /** The run or session the entry belongs to; use `''` for the `global` scope. */
  readonly scopeId: string;
  readonly key: string;
}

/** A stored value with its version. */
export interface StateEntry<T = unknown> extends StateAddress {
  readonly value: T;
  /** 1 after the first write, +1 on every later write. A deleted or expired entry starts over at 1. */
  readonly version: number;
  /** Epoch ms of the last write (store clock), a whole number: the clock reading rounded down. */
  readonly updatedAt: number;
  /** Epoch ms after which the entry is gone, when it was written with a TTL: `updatedAt` + the TTL rounded up. */
  readonly expiresAt?: number;
  /** Agent id of the last writer, when the writer gave one. */
  readonly updatedBy?: string;
}

/** Options of {@link SharedState.set} and {@link SharedState.compareAndSet}. */
export interface StateWriteOptions {
  /** The entry expires this many ms after the write. @default no expiry */
  readonly ttlMs?: number;
  /** Recorded as `updatedBy`. */
  readonly updatedBy?: string;
}

/** A change seen by a subscriber. */
export interface StateChange<T = unknown> extends StateAddress {
  readonly type: 'set' | 'delete';
  /** The entry after a `set`; undefined after a `delete`. */
  readonly entry: StateEntry<T> | undefined;
  /** Version before the change (0: there was no entry). */
  readonly previousVersion: number;
}

/** Which changes a subscriber wants; every field given must match. */
export interface StateChangeFilter {
  readonly scope?: StateScope;
  readonly scopeId?: string;
  /** Exact key. */
  readonly key?: string;
  /** Keys starting with this prefix. */
  readonly keyPrefix?: string;
}

/** Receives state changes; errors it throws are reported, not propagated to the writer. */
export type StateChangeListener = (change: StateChange) => void;

/**
 * A versioned key-value store shared by agents (the blackboard). Every method is async so that a
 * network store (for example `RedisSharedState` in `@tta/redis`) fits the same interface.
 * Stores keep values as plain JSON data (see `copyPlainData`): `Date`, `Map`, `Set`, `NaN`,
 * `Infinity`, BigInt, class instances and cycles are refused with `InvalidInputError`, and
 * `undefined` properties are left out, in every store alike; a reader gets a copy, never the
 * writer's object. Keys and scope ids are well-formed strings (no lone surrogates), keys non-empty.
 *
 * Behaviour every implementation follows (checked by `describeSharedStateContract` from
 * `@tta/agent-context/testing`):
 * - versions start at 1 and grow by 1 per write; `compareAndSet` with `expectedVersion` 0 creates
 *   an entry only when none exists; a mismatch rejects with `StateConflictError` and writes nothing;
 *   among concurrent writers expecting the same version exactly one wins;
 * - an entry written with `ttlMs` is invisible (get, keys, compareAndSet) once its time has passed;
 * - subscribers get every `set` and `delete` that matches their filter, in write order per key.
 */
export interface SharedState {
  /** The version of this interface the implementation was written against; this release supports 1. */
  readonly specificationVersion: 1;
  /** The entry, or undefined when there is none (or it expired). */
  get<T = unknown>(address: StateAddress): Promise<StateEntry<T> | undefined>;
  /** Writes unconditionally; returns the new entry. */
  set<T>(address: StateAddress, value: T, options?: StateWriteOptions): Promise<StateEntry<T>>;
  /**
   * Writes only when the current version is `expectedVersion` (0: no entry); otherwise rejects
   * with `StateConflictError` naming the key and both versions.
   */
  compareAndSet<T>(address: StateAddress, expectedVersion: number, value: T, options?: StateWriteOptions): Promise<StateEntry<T>>;
  /**
   * Deletes the entry; with `expectedVersion`, only when it matches (else `StateConflictError`).
   * Resolves to false when there was nothing to delete.
   */
  delete(address: StateAddress, expectedVersion?: number): Promise<boolean>;
  /** Keys present in one scope (for one scope id), sorted, optionally only those with a prefix. */
  keys(scope: StateScope, scopeId: string, keyPrefix?: string): Promise<string[]>;
  /**
   * Calls `listener` on every matching change. Resolves once the subscription is active: a write
   * made after that is delivered. Dispose the result to stop.
   */
  subscribe(filter: StateChangeFilter, listener: StateChangeListener): Promise<Disposable>;
}

/** `scope:scopeId:key`, the name used in errors and logs. */
export function formatAddress(address: StateAddress): string {
  return `${address.scope}:${address.scopeId}:${address.key}`;
}

/** True when `change` matches `filter`. */
export function matchesFilter(filter: StateChangeFilter, address: StateAddress): boolean {
  return (
    (filter.scope === undefined || filter.scope === address.scope) &&
    (filter.scopeId === undefined || filter.scopeId === address.scopeId) &&
    (filter.key === undefined || filter.key === address.key) &&
    (filter.keyPrefix === undefined || address.key.startsWith(filter.keyPrefix))
  );
}
