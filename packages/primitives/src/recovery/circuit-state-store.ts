/** The state of a circuit breaker. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** One slice of the failure-ratio window of a breaker in ratio mode. */
export interface CircuitWindowBucket {
  /** Epoch ms at which the slice starts. */
  readonly startMs: number;
  /** Calls that ended in the slice. */
  readonly calls: number;
  /** Of those, calls that counted as failures. */
  readonly failures: number;
}

/**
 * What a circuit breaker saves and restores: plain JSON-compatible data, so a store can keep it
 * anywhere (memory, Redis, a file). Times are epoch milliseconds on the breaker's clock.
 *
 * Version 1 of the format; a store must return the object it was given (field for field), and a
 * breaker ignores a snapshot whose `version` it does not know.
 */
export interface CircuitSnapshot {
  /** Format version; always `1` for this shape. */
  readonly version: 1;
  /**
   * The state when saved. A `'half-open'` snapshot is restored as open with its break already
   * over, so the next call probes again (probes in flight belong to the process that saved it).
   */
  readonly state: CircuitState;
  /** True when the circuit was opened by `isolate()` and stays open until `reset()`. */
  readonly isolated: boolean;
  /** When the circuit last opened; absent while closed. */
  readonly openedAtMs?: number;
  /** When an open circuit lets the first probe through; absent while closed or isolated. */
  readonly openUntilMs?: number;
  /** Consecutive failures so far (consecutive mode). */
  readonly consecutiveFailures: number;
  /** The failure-ratio window, oldest slice first (ratio mode; empty otherwise). */
  readonly window: readonly CircuitWindowBucket[];
  /** When the snapshot was taken. */
  readonly savedAtMs: number;
}

/**
 * Where circuit breakers keep their state, so it survives a restart or is shared by several
 * processes (one key per breaker). Implementations: {@link InMemoryCircuitStateStore}, and
 * `RedisCircuitStateStore` in `@tta/redis`.
 *
 * A breaker loads its snapshot once, before its first call, and saves one on every state change
 * (break, half-open, reset, isolate). A failing `load` is treated as "nothing saved"; a failing
 * `save` is reported (as an unhandled error on a fresh task) and never fails a call.
 */
export interface CircuitStateStore {
  /** The version of this interface the implementation was written against; this release supports 1. */
  readonly specificationVersion: 1;
  /** The last snapshot saved under `key`, or `undefined` when there is none. */
  load(key: string): Promise<CircuitSnapshot | undefined>;
  /** Saves `snapshot` under `key`, replacing the previous one. */
  save(key: string, snapshot: CircuitSnapshot): Promise<void>;
}

/**
 * A {@link CircuitStateStore} in the memory of this process: breakers that share the store and a
 * key share their state across restarts of the breaker object (not of the process).
 *
 * @example
 * ```ts
 * const store = new InMemoryCircuitStateStore();
 * const breaker = circuitBreaker(llm, { failureThreshold: 5, store, key: 'llm' });
 * ```
 */
export class InMemoryCircuitStateStore implements CircuitStateStore {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly snapshots = new Map<string, CircuitSnapshot>();

  /** The snapshot saved under `key`, if any. */
  load(key: string): Promise<CircuitSnapshot | undefined> {
    return Promise.resolve(this.snapshots.get(key));
  }

  /** Keeps `snapshot` under `key`. */
  save(key: string, snapshot: CircuitSnapshot): Promise<void> {
    this.snapshots.set(key, snapshot);
    return Promise.resolve();
  }

  /** Forgets the snapshot under `key` (or every snapshot when no key is given). */
  delete(key?: string): void {
    if (key === undefined) this.snapshots.clear();
    else this.snapshots.delete(key);
  }
}
