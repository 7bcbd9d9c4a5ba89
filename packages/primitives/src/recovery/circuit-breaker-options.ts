import type { Clock } from '../core/clock.js';
import type { PrimitiveOptions } from '../core/workflow-primitive.js';
import type { CircuitState, CircuitStateStore } from './circuit-state-store.js';

/**
 * Options of {@link CircuitBreakerPrimitive}, in one of two modes: the count mode
 * (`failureThreshold`, the default) or the ratio mode (`failureRatio`, with `minimumThroughput`
 * and `windowMs`). Mixing the modes does not compile; a JavaScript caller who mixes them gets an
 * `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * const count: CircuitBreakerOptions = { failureThreshold: 3, breakDurationMs: 10_000 };
 * const ratio: CircuitBreakerOptions = { failureRatio: 0.5, minimumThroughput: 20, windowMs: 30_000 };
 * // @ts-expect-error failureThreshold is the count mode, failureRatio the ratio mode
 * const mixed: CircuitBreakerOptions = { failureThreshold: 3, failureRatio: 0.5 };
 * ```
 */
export type CircuitBreakerOptions = CircuitBreakerCountOptions | CircuitBreakerRatioOptions;

/** Count mode of {@link CircuitBreakerOptions}: the circuit opens after consecutive failures. */
export interface CircuitBreakerCountOptions extends CircuitBreakerSharedOptions {
  /**
   * The circuit opens after this many failures in a row.
   * @default 5
   */
  readonly failureThreshold?: number;
  /** Ratio mode only: not allowed with `failureThreshold`. */
  readonly failureRatio?: never;
  /** Ratio mode only: give `failureRatio` to use it. */
  readonly minimumThroughput?: never;
  /** Ratio mode only: give `failureRatio` to use it. */
  readonly windowMs?: never;
}

/** Ratio mode of {@link CircuitBreakerOptions}: the circuit opens on a share of failures in a window. */
export interface CircuitBreakerRatioOptions extends CircuitBreakerSharedOptions {
  /** The circuit opens when `failures / calls >= failureRatio` within `windowMs`. In (0, 1]. */
  readonly failureRatio: number;
  /**
   * Fewest calls within the window before the ratio may open the circuit.
   * @default 10
   */
  readonly minimumThroughput?: number;
  /**
   * Length of the sliding window, in milliseconds.
   * @default 60_000
   */
  readonly windowMs?: number;
  /** Count mode only: not allowed with `failureRatio`. */
  readonly failureThreshold?: never;
}

/** Options of {@link CircuitBreakerPrimitive} that both modes share. */
export interface CircuitBreakerSharedOptions extends PrimitiveOptions {
  /**
   * How long the circuit stays open before letting probes through.
   * @default 30_000
   */
  readonly breakDurationMs?: number;
  /**
   * Probes allowed in flight at once while half-open; other calls are rejected.
   * @default 1
   */
  readonly halfOpenMaxCalls?: number;
  /**
   * Successful probes needed to close the circuit (at most `halfOpenMaxCalls` may run at once).
   * @default 1
   */
  readonly halfOpenSuccessThreshold?: number;
  /**
   * Which errors count as failures; the others count as nothing.
   * The caller's abort never counts.
   * @default every error
   */
  readonly breakOn?: (error: unknown) => boolean;
  /** Where the state is saved and restored from (see {@link CircuitStateStore}). */
  readonly store?: CircuitStateStore;
  /**
   * Key of this breaker's state in the store; breakers with the same store and key share state.
   * @default the breaker's `name`
   */
  readonly key?: string;
  /**
   * With a `store`: also reload the saved state at most this often (checked on calls, loaded in the
   * background, never delaying a call), and adopt it when it was saved after this breaker's own
   * last transition. This is how breakers in several processes share one state: when one opens
   * the circuit, the others follow within `refreshMs`. Without it, the state is loaded once.
   * @default undefined (load once, before the first call)
   */
  readonly refreshMs?: number;
  /**
   * Clock for the break duration and the window.
   * @default the clock of the context of the latest call (systemClock before the first call)
   */
  readonly clock?: Clock;
}

/** Reported when the circuit opens. */
export interface BreakEvent {
  /** The failure that opened it; `undefined` for `isolate()`. */
  readonly error: unknown;
  /** True when opened by `isolate()`. */
  readonly isolated: boolean;
  /** How long it stays open (`Infinity` when isolated). */
  readonly breakDurationMs: number;
}

/** Reported on every state change. */
export interface StateChangeEvent {
  readonly from: CircuitState;
  readonly to: CircuitState;
}
