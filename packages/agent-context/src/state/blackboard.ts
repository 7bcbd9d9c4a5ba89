import { InvalidInputError, InvalidOptionsError, describeValue, type Disposable } from '@tta/primitives';
import { StateConflictError } from '../errors/state-conflict-error.js';
import { validateWithSchema } from './schema.js';
import { stateKey, type StateKey } from './state-key.js';
import type { SharedState, StateAddress, StateChange, StateEntry, StateScope } from './shared-state.js';

/** Where a blackboard's `workflow` and `session` scopes point. */
export interface BlackboardBinding {
  /** Scope id of `workflow` entries: the run's correlation id. */
  readonly workflowId: string;
  /** Scope id of `session` entries; without it, session keys are refused. */
  readonly sessionId?: string;
  /** Recorded as the writer of every entry. */
  readonly agentId?: string;
}

/** Options of a blackboard write. */
export interface BlackboardWriteOptions {
  /** Overrides the key's default TTL. */
  readonly ttlMs?: number;
}

/** Options of {@link Blackboard.update}. */
export interface BlackboardUpdateOptions extends BlackboardWriteOptions {
  /** Most read-compute-write rounds before the last `StateConflictError` is thrown. @default 10 */
  readonly maxAttempts?: number;
}

/** A key given as a {@link StateKey} or as a plain name (a `workflow`-scoped, untyped entry). */
export type KeyLike<T> = StateKey<T> | string;

/**
 * A {@link SharedState} seen from one run: `workflow` keys resolve to the run's correlation id,
 * `session` keys to its session, `global` keys to everyone. Writes are validated with the key's
 * schema and stamped with the agent's id. Get one from `agentContext.blackboard`.
 *
 * @example
 * const counter = stateKey('visits', { scope: 'session', schema: z.number().int() });
 * await context.blackboard.update(counter, (current) => (current ?? 0) + 1);
 */
export class Blackboard {
  constructor(
    /** The store underneath. */
    readonly store: SharedState,
    /** Where the scopes point. */
    readonly binding: BlackboardBinding,
  ) {}

  /** The store address of `key` for this run. */
  address(key: KeyLike<unknown>): StateAddress {
    const resolved = resolveKey(key);
    return { scope: resolved.scope, scopeId: this.scopeId(resolved.scope, resolved.key), key: resolved.key };
  }

  /** The value, or undefined when the entry does not exist. */
  async get<T>(key: KeyLike<T>): Promise<T | undefined> {
    return (await this.store.get<T>(this.address(key)))?.value;
  }

  /** The entry with its version (for {@link compareAndSet}), or undefined. */
  async read<T>(key: KeyLike<T>): Promise<StateEntry<T> | undefined> {
    return this.store.get<T>(this.address(key));
  }

  /** Validates and writes `value`; returns the new entry. */
  async set<T>(key: KeyLike<T>, value: T, options: BlackboardWriteOptions = {}): Promise<StateEntry<T>> {
    const resolved = resolveKey(key);
    const checked = this.check(resolved, value);
    return this.store.set(this.address(resolved), checked, this.writeOptions(resolved, options));
  }

  /** Validates and writes `value` only when the entry is at `expectedVersion` (0: absent), else `StateConflictError`. */
  async compareAndSet<T>(key: KeyLike<T>, expectedVersion: number, value: T, options: BlackboardWriteOptions = {}): Promise<StateEntry<T>> {
    const resolved = resolveKey(key);
    const checked = this.check(resolved, value);
    return this.store.compareAndSet(this.address(resolved), expectedVersion, checked, this.writeOptions(resolved, options));
  }

  /**
   * Read-compute-write with compare-and-set, retried on conflict: `compute` sees the current value
   * and returns the next one. It may run several times, so keep it free of side effects.
   */
  async update<T>(key: KeyLike<T>, compute: (current: T | undefined) => T | Promise<T>, options: BlackboardUpdateOptions = {}): Promise<StateEntry<T>> {
    if (typeof options !== 'object' || options === null) throw new InvalidOptionsError('Blackboard.update', 'options', `must be an object when given (got ${describeValue(options)})`);
    const maxAttempts = options.maxAttempts ?? 10;
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new InvalidOptionsError('Blackboard.update', 'maxAttempts', `must be a positive integer (got ${describeValue(maxAttempts)})`);
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(key);
      const next = await compute(current?.value);
      try {
        return await this.compareAndSet(key, current?.version ?? 0, next, options);
      } catch (error) {
        if (!StateConflictError.isInstance(error) || attempt >= maxAttempts) throw error;
      }
    }
  }

  /** Deletes the entry (only at `expectedVersion` when given); false when there was none. */
  async delete(key: KeyLike<unknown>, expectedVersion?: number): Promise<boolean> {
    return this.store.delete(this.address(key), expectedVersion);
  }

  /** Keys present in one of this run's scopes, sorted. */
  async keys(scope: StateScope = 'workflow', keyPrefix?: string): Promise<string[]> {
    return this.store.keys(scope, this.scopeId(scope, keyPrefix ?? ''), keyPrefix);
  }

  /** Calls `listener` on every change of `key` in this run's scope. Resolves once active. */
  async subscribe<T>(key: KeyLike<T>, listener: (change: StateChange<T>) => void): Promise<Disposable> {
    const address = this.address(key);
    return this.store.subscribe({ scope: address.scope, scopeId: address.scopeId, key: address.key }, listener as (change: StateChange) => void);
  }

  private scopeId(scope: StateScope, key: string): string {
    if (scope === 'workflow') return this.binding.workflowId;
    if (scope === 'global') return '';
    const sessionId = this.binding.sessionId;
    if (sessionId === undefined) throw new InvalidInputError('Blackboard', `${describeValue(key)} is session-scoped, but this context has no sessionId`);
    return sessionId;
  }

  private check<T>(key: StateKey<T>, value: T): T {
    return key.schema === undefined ? value : validateWithSchema(key.schema, value, `state "${key.key}"`);
  }

  private writeOptions(key: StateKey<unknown>, options: BlackboardWriteOptions): { ttlMs?: number; updatedBy?: string } {
    const ttlMs = options.ttlMs ?? key.ttlMs;
    const agentId = this.binding.agentId;
    return { ...(ttlMs === undefined ? {} : { ttlMs }), ...(agentId === undefined ? {} : { updatedBy: agentId }) };
  }
}

function resolveKey<T>(key: KeyLike<T>): StateKey<T> {
  return typeof key === 'string' ? stateKey<T>(key) : key;
}
