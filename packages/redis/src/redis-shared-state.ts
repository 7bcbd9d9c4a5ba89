import { InvalidInputError, type Disposable } from '@tta/primitives';
import { assertDuration, describeValue, systemClock, type Clock } from '@tta/primitives/instrumentation';
import {
  StateConflictError,
  assertStateAddress,
  assertStateScope,
  assertWellFormedName,
  copyPlainData,
  type SharedState,
  type StateAddress,
  type StateChange,
  type StateChangeFilter,
  type StateChangeListener,
  type StateEntry,
  type StateScope,
  type StateWriteOptions,
} from '@tta/agent-context';
import { resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard } from './redis-call.js';
import { deleteScript, keysScript, writeScript } from './redis-shared-state-scripts.js';
import { PubSubHub, reportListenerFailure } from './pub-sub-hub.js';
import { deleteByPattern } from './scan.js';
import { kindName, startsWithPattern, tagBase } from './key-layout.js';
import { assertCallOptions, assertOptionsObject } from './validate-options.js';

/** Options of {@link RedisSharedState}. */
export interface RedisSharedStateOptions extends RedisStoreOptions {
  /** Clock for `updatedAt` and TTLs; every process sharing the state should agree on time. @default systemClock */
  readonly clock?: Clock;
  /**
   * Extra time Redis keeps an expired entry before dropping it. Expiry is decided on the store
   * clock (so processes with the same clock agree at once); Redis removes the data itself this
   * long afterwards.
   * @default 5_000
   */
  readonly expiryGraceMs?: number;
}

/**
 * The `SharedState` (blackboard) in Redis: the same entries, versions and change notifications
 * for every process that uses the same server and prefix. Writes and compare-and-set run as Lua
 * scripts, so the version check and the write are one atomic step on the server: among writers
 * in any number of processes that expect the same version, exactly one wins and the others get
 * `StateConflictError`. Changes are published from the same script, so subscribers see them in
 * write order (Redis pub/sub: a subscriber that is disconnected at the time misses them).
 *
 * Keys: `<prefix>state:{<scope>:<scopeId>}:entry:<key>` (a hash per entry) and
 * `<prefix>state:{<scope>:<scopeId>}:index` (the key list of a scope), the scope id escaped as the
 * key layout does; the braces keep a scope on
 * one Redis Cluster slot.
 *
 * @example
 * ```ts
 * const state = new RedisSharedState({ connection: redis });
 * const entry = await state.get({ scope: 'session', scopeId: sessionId, key: 'plan' });
 * await state.compareAndSet({ scope: 'session', scopeId: sessionId, key: 'plan' }, entry?.version ?? 0, nextPlan);
 * ```
 */
export class RedisSharedState implements SharedState {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly hub: PubSubHub;

  constructor(options: RedisSharedStateOptions = {}) {
    assertOptionsObject('RedisSharedState', options, ['connection', 'prefix', 'clock', 'expiryGraceMs'] satisfies (keyof RedisSharedStateOptions)[]);
    this.prefix = validatePrefix('RedisSharedState', options.prefix);
    const graceMs = options.expiryGraceMs ?? 5_000;
    assertDuration('RedisSharedState', 'expiryGraceMs', graceMs, { integer: true });
    this.graceMs = graceMs;
    this.clock = options.clock ?? systemClock;
    this.channel = kindName(this.prefix, 'state', 'changes');
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
    this.hub = new PubSubHub(client, 'RedisSharedState');
  }

  async get<T = unknown>(address: StateAddress): Promise<StateEntry<T> | undefined> {
    assertStateAddress('RedisSharedState.get', address);
    const [version, updatedAt, expiresAt, updatedBy, data] = await guard('RedisSharedState.get', () =>
      this.client.hmget(this.entryKey(address), 'v', 'u', 'e', 'b', 'd'),
    );
    if (version == null || data == null || updatedAt == null) return undefined;
    if (expiresAt != null && Number(expiresAt) <= this.clock.now()) return undefined;
    return toEntry<T>(address, Number(version), Number(updatedAt), data, expiresAt ?? null, updatedBy ?? null);
  }

  set<T>(address: StateAddress, value: T, options: StateWriteOptions = {}): Promise<StateEntry<T>> {
    return this.write('set', address, 0, value, options);
  }

  compareAndSet<T>(address: StateAddress, expectedVersion: number, value: T, options: StateWriteOptions = {}): Promise<StateEntry<T>> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      return Promise.reject(new InvalidInputError('RedisSharedState.compareAndSet', `expectedVersion must be an integer >= 0 (got ${describeValue(expectedVersion)})`));
    }
    return this.write('cas', address, expectedVersion, value, options);
  }

  async delete(address: StateAddress, expectedVersion?: number): Promise<boolean> {
    assertStateAddress('RedisSharedState.delete', address);
    const reply = (await guard('RedisSharedState.delete', () =>
      deleteScript.run(this.client, [this.entryKey(address), this.indexKey(address.scope, address.scopeId)], [
        expectedVersion === undefined ? '' : expectedVersion,
        this.clock.now(),
        this.channel,
        address.scope,
        address.scopeId,
        address.key,
      ]),
    )) as [number, number];
    if (reply[0] === 0) throw new StateConflictError(formatAddress(address), expectedVersion ?? 0, reply[1]);
    return reply[1] > 0;
  }

  async keys(scope: StateScope, scopeId: string, keyPrefix = ''): Promise<string[]> {
    assertStateScope('RedisSharedState.keys', scope);
    assertWellFormedName('RedisSharedState.keys', 'scopeId', scopeId, { allowEmpty: true });
    assertWellFormedName('RedisSharedState.keys', 'keyPrefix', keyPrefix, { allowEmpty: true });
    const live = (await guard('RedisSharedState.keys', () =>
      keysScript.run(this.client, [this.indexKey(scope, scopeId)], [this.entryPrefix(scope, scopeId), this.clock.now(), keyPrefix]),
    )) as string[];
    return live.sort();
  }

  async subscribe(filter: StateChangeFilter, listener: StateChangeListener): Promise<Disposable> {
    if (typeof listener !== 'function') {
      throw new InvalidInputError('RedisSharedState.subscribe', `listener must be a function (got ${describeValue(listener)})`);
    }
    return this.hub.subscribe(this.channel, (message) => {
      let change: StateChange;
      try {
        change = JSON.parse(message) as StateChange;
      } catch (error) {
        reportListenerFailure(error);
        return;
      }
      if (!matchesFilter(filter, change)) return;
      if (change.entry === null) change = { ...change, entry: undefined };
      try {
        listener(change);
      } catch (error) {
        reportListenerFailure(error);
      }
    });
  }

  /** Removes every entry of one scope id (for example when a run ends); resolves to how many. */
  async clearScope(scope: StateScope, scopeId: string): Promise<number> {
    assertStateScope('RedisSharedState.clearScope', scope);
    assertWellFormedName('RedisSharedState.clearScope', 'scopeId', scopeId, { allowEmpty: true });
    const pattern = startsWithPattern(this.entryPrefix(scope, scopeId));
    return guard('RedisSharedState.clearScope', async () => {
      const removed = await deleteByPattern(this.client, pattern);
      await this.client.del(this.indexKey(scope, scopeId));
      return removed;
    });
  }

  /** Closes the subscriber connection, and the main one when the store created it. */
  async close(): Promise<void> {
    await this.hub.close();
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async write<T>(mode: 'set' | 'cas', address: StateAddress, expectedVersion: number, value: T, options: StateWriteOptions): Promise<StateEntry<T>> {
    const operation = mode === 'set' ? 'RedisSharedState.set' : 'RedisSharedState.compareAndSet';
    assertStateAddress(operation, address);
    assertCallOptions(operation, 'options', options);
    if (options.updatedBy !== undefined) assertWellFormedName(operation, 'updatedBy', options.updatedBy);
    // The in-memory store's rule: a value that JSON would change (Date, Map, NaN, BigInt...) is refused, typed.
    const json = JSON.stringify(copyPlainData(operation, `the value of "${formatAddress(address)}"`, value));
    const ttlMs = options.ttlMs;
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new InvalidInputError(operation, `ttlMs must be a finite number > 0 (got ${describeValue(ttlMs)})`);
    }
    // Redis takes whole milliseconds up to 2^53 - 1: a larger TTL would come back as an untyped reply error.
    if (ttlMs !== undefined && ttlMs > Number.MAX_SAFE_INTEGER) {
      throw new InvalidInputError(operation, `ttlMs must be at most ${Number.MAX_SAFE_INTEGER} (got ${describeValue(ttlMs)})`);
    }
    // Whole milliseconds: `updatedAt` and `expiresAt` are records, and Redis expiries are whole anyway.
    const now = Math.floor(this.clock.now());
    const reply = (await guard(`RedisSharedState.${mode === 'set' ? 'set' : 'compareAndSet'}`, () =>
      writeScript.run(this.client, [this.entryKey(address), this.indexKey(address.scope, address.scopeId)], [
        mode,
        expectedVersion,
        json,
        now,
        ttlMs === undefined ? '' : Math.ceil(ttlMs),
        options.updatedBy ?? '',
        this.channel,
        this.graceMs,
        address.scope,
        address.scopeId,
        address.key,
      ]),
    )) as [number, number];
    if (reply[0] === 0) throw new StateConflictError(formatAddress(address), expectedVersion, reply[1]);
    const entry: Record<string, unknown> = { scope: address.scope, scopeId: address.scopeId, key: address.key, value: JSON.parse(json) as T, version: reply[1], updatedAt: now };
    if (ttlMs !== undefined) entry.expiresAt = now + Math.ceil(ttlMs);
    if (options.updatedBy !== undefined) entry.updatedBy = options.updatedBy;
    return entry as unknown as StateEntry<T>;
  }

  private scopeBase(scope: StateScope, scopeId: string): string {
    // The layout escapes each part: `a:b` + `c` stays apart from `a` + `b:c`, and braces stay out of the tag.
    return tagBase(this.prefix, 'state', [scope, scopeId]);
  }

  private entryPrefix(scope: StateScope, scopeId: string): string {
    return `${this.scopeBase(scope, scopeId)}:entry:`;
  }

  private entryKey(address: StateAddress): string {
    return this.entryPrefix(address.scope, address.scopeId) + address.key;
  }

  private indexKey(scope: StateScope, scopeId: string): string {
    return `${this.scopeBase(scope, scopeId)}:index`;
  }
}

function toEntry<T>(address: StateAddress, version: number, updatedAt: number, data: string, expiresAt: string | null, updatedBy: string | null): StateEntry<T> {
  const entry: Record<string, unknown> = {
    scope: address.scope,
    scopeId: address.scopeId,
    key: address.key,
    value: JSON.parse(data) as T,
    version,
    updatedAt,
  };
  if (expiresAt !== null) entry.expiresAt = Number(expiresAt);
  if (updatedBy !== null) entry.updatedBy = updatedBy;
  return entry as unknown as StateEntry<T>;
}

/** `scope:scopeId:key`, as the in-memory store names an address in errors. */
function formatAddress(address: StateAddress): string {
  return `${address.scope}:${address.scopeId}:${address.key}`;
}

function matchesFilter(filter: StateChangeFilter, address: StateAddress): boolean {
  return (
    (filter.scope === undefined || filter.scope === address.scope) &&
    (filter.scopeId === undefined || filter.scopeId === address.scopeId) &&
    (filter.key === undefined || filter.key === address.key) &&
    (filter.keyPrefix === undefined || address.key.startsWith(filter.keyPrefix))
  );
}
