import { InvalidInputError, InvalidOptionsError, type Disposable } from '@tta/primitives';
import { assertSpecificationVersion, describeValue, requireFunction, requireInteger, requireMethods, requireNonEmptyString, requireOptionsObject } from '@tta/primitives/instrumentation';
import { StateConflictError } from '../errors/state-conflict-error.js';
import { checkWithSchema } from './schema.js';
import { stateKey, type StateKey } from './state-key.js';
import { maxUpdateDelayMs, updateBackoffDelayMs, waitBeforeRetry, type UpdateBackoff } from './update-backoff.js';
import type { SharedState, StateAddress, StateChange, StateEntry, StateScope } from './shared-state.js';
import type { WorkflowContext } from '@tta/primitives';

/** Where a blackboard's `workflow` and `session` scopes point. */
export interface BlackboardBinding {
  /** Scope id of `workflow` entries: the run's correlation id. */
  readonly workflowId: string;
  /** Scope id of `session` entries; without it, session keys are refused. */
  readonly sessionId?: string;
  /** Recorded as the writer of every entry. */
  readonly agentId?: string;
  /** Times the waits of {@link Blackboard.update} between rounds. @default the host's timers */
  readonly clock?: WorkflowContext['clock'];
  /** Cancels the waits and rounds of {@link Blackboard.update} (an agent's blackboard uses the run's). */
  readonly signal?: AbortSignal;
  /** Random source in `[0, 1)` for the jitter of {@link Blackboard.update}'s waits. @default Math.random */
  readonly random?: () => number;
}

/** Options of a blackboard write. */
export interface BlackboardWriteOptions {
  /** Overrides the key's default TTL. */
  readonly ttlMs?: number;
}

/** Options of {@link Blackboard.update}. */
export interface BlackboardUpdateOptions extends BlackboardWriteOptions {
  /**
   * Most read-compute-write rounds before the last `StateConflictError` is thrown. With the default
   * backoff, 50 writers updating one key at once all succeed, in memory and on Redis.
   * @default 20
   */
  readonly maxAttempts?: number;
  /**
   * Upper bound of the first wait after a lost round; each later bound doubles, up to `maxDelayMs`.
   * Each wait is a uniform draw below its bound ("full jitter"), so losers spread out. 0: no wait.
   * @default 5
   */
  readonly initialDelayMs?: number;
  /**
   * Longest wait between two rounds. A call that keeps losing waits at most
   * `(maxAttempts - 1) × maxDelayMs` in all (with the defaults, 19 × 250 ms ≈ 4.8 s) plus its rounds.
   * @default 250
   */
  readonly maxDelayMs?: number;
  /** Cancels this call (besides the blackboard's own signal): it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** A key given as a {@link StateKey} or as a plain name (a `workflow`-scoped, untyped entry). */
export type KeyLike<T> = StateKey<T> | string;

/**
 * A {@link SharedState} seen from one run: `workflow` keys resolve to the run's correlation id,
 * `session` keys to its session, `global` keys to everyone. Writes are validated with the key's
 * Standard Schema (zod, valibot, arktype...) and stamped with the agent's id; a value that fails it is
 * refused with the core's `ValidationError`. Get one from `agentContext.blackboard`.
 *
 * @example
 * ```ts
 * const counter = stateKey('visits', { scope: 'session', schema: z.number().int() });
 * await context.blackboard.update(counter, (current) => (current ?? 0) + 1);
 * ```
 */
export class Blackboard {
  constructor(
    /** The store underneath. */
    readonly store: SharedState,
    /** Where the scopes point. */
    readonly binding: BlackboardBinding,
  ) {
    // Checked here and not only by AgentContext: a blackboard built directly must refuse the same
    // stores (one of another interface version) instead of failing on its first read.
    requireMethods('Blackboard', 'store', store, { methods: ['get', 'set', 'compareAndSet', 'delete', 'keys', 'subscribe'], description: 'a SharedState (get, set, compareAndSet, delete, keys and subscribe)' });
    assertSpecificationVersion('Blackboard', 'store', store);
    requireOptionsObject('Blackboard', binding);
    requireNonEmptyString('Blackboard', 'workflowId', binding.workflowId);
    requireNonEmptyString('Blackboard', 'sessionId', binding.sessionId, { optional: true });
    requireNonEmptyString('Blackboard', 'agentId', binding.agentId, { optional: true });
    requireMethods('Blackboard', 'clock', binding.clock, { optional: true, methods: ['now', 'setTimeout', 'clearTimeout'], description: 'a Clock (now, setTimeout and clearTimeout)' });
    requireFunction('Blackboard', 'random', binding.random, { optional: true, signature: '() => number in [0, 1)' });
    // `binding.signal` is left unread: an agent's blackboard passes a getter that makes the run's
    // signal, which only an update that waits should pay for.
  }

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
    const checked = await this.check(resolved, value);
    return this.store.set(this.address(resolved), checked, this.writeOptions(resolved, options));
  }

  /** Validates and writes `value` only when the entry is at `expectedVersion` (0: absent), else `StateConflictError`. */
  async compareAndSet<T>(key: KeyLike<T>, expectedVersion: number, value: T, options: BlackboardWriteOptions = {}): Promise<StateEntry<T>> {
    const resolved = resolveKey(key);
    const checked = await this.check(resolved, value);
    return this.store.compareAndSet(this.address(resolved), expectedVersion, checked, this.writeOptions(resolved, options));
  }

  /**
   * Read-compute-write with compare-and-set, retried on conflict after a jittered wait that doubles
   * each round (see {@link BlackboardUpdateOptions}): `compute` sees the current value and returns
   * the next one. It may run several times, so keep it free of side effects. Rejects with the last
   * `StateConflictError` after `maxAttempts` lost rounds, or with the reason of an aborted signal.
   */
  async update<T>(key: KeyLike<T>, compute: (current: T | undefined) => T | Promise<T>, options: BlackboardUpdateOptions = {}): Promise<StateEntry<T>> {
    requireOptionsObject('Blackboard.update', options, { optional: true });
    const maxAttempts = options.maxAttempts ?? 20;
    requireInteger('Blackboard.update', 'maxAttempts', maxAttempts, { min: 1 });
    const initialDelayMs = options.initialDelayMs ?? 5;
    if (!(Number.isFinite(initialDelayMs) && initialDelayMs >= 0)) throw new InvalidOptionsError('Blackboard.update', 'initialDelayMs', `must be a finite number of milliseconds, 0 or more (got ${describeValue(initialDelayMs)})`);
    const maxDelayMs = options.maxDelayMs ?? 250;
    if (!(Number.isFinite(maxDelayMs) && maxDelayMs >= initialDelayMs && maxDelayMs <= maxUpdateDelayMs)) {
      throw new InvalidOptionsError('Blackboard.update', 'maxDelayMs', `must be a number of milliseconds from initialDelayMs (${initialDelayMs}) to ${maxUpdateDelayMs} (got ${describeValue(maxDelayMs)})`);
    }
    const signal = options.signal;
    if (signal !== undefined && !isAbortSignal(signal)) throw new InvalidOptionsError('Blackboard.update', 'signal', `must be an AbortSignal (got ${describeValue(signal)})`);
    const backoff: UpdateBackoff = { initialDelayMs, maxDelayMs, random: this.binding.random ?? Math.random };
    signal?.throwIfAborted();
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(key);
      const next = await compute(current?.value);
      try {
        return await this.compareAndSet(key, current?.version ?? 0, next, options);
      } catch (error) {
        if (!StateConflictError.isInstance(error) || attempt >= maxAttempts) throw error;
      }
      await waitBeforeRetry(updateBackoffDelayMs(backoff, attempt), this.binding.clock, this.signals(signal));
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

  // Read only before a wait: an agent's run signal is made on first use, and most updates never wait.
  private signals(extra: AbortSignal | undefined): AbortSignal[] {
    const own = this.binding.signal;
    return own === undefined ? (extra === undefined ? [] : [extra]) : extra === undefined ? [own] : [own, extra];
  }

  private scopeId(scope: StateScope, key: string): string {
    if (scope === 'workflow') return this.binding.workflowId;
    if (scope === 'global') return '';
    const sessionId = this.binding.sessionId;
    if (sessionId === undefined) throw new InvalidInputError('Blackboard', `${describeValue(key)} is session-scoped, but this context has no sessionId`);
    return sessionId;
  }

  private check<T>(key: StateKey<T>, value: T): T | Promise<T> {
    return key.schema === undefined ? value : checkWithSchema(key.schema, value, `Blackboard: state "${key.key}"`);
  }

  private writeOptions(key: StateKey<unknown>, options: BlackboardWriteOptions): { ttlMs?: number; updatedBy?: string } {
    const ttlMs = options.ttlMs ?? key.ttlMs;
    const agentId = this.binding.agentId;
    return { ...(ttlMs === undefined ? {} : { ttlMs }), ...(agentId === undefined ? {} : { updatedBy: agentId }) };
  }
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
}

function resolveKey<T>(key: KeyLike<T>): StateKey<T> {
  return typeof key === 'string' ? stateKey<T>(key) : key;
}
