import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { clearLongTimeout, setLongTimeout } from './long-timer.js';
/** Handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Source of time and timers. Every timed primitive accepts one, so tests can use
 * `ManualClock` from `@tta/primitives/testing` instead of waiting for real.
 */
export interface Clock {
  /** Current time in epoch milliseconds, with sub-millisecond precision where available. */
  now(): number;
  /**
   * Calls `callback` once after `delayMs`. Any finite delay waits that long (also beyond the
   * host's 2^31 − 1 ms limit); `Infinity` never fires.
   */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer made by {@link Clock.setTimeout}; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

// `performance` is read on every call, not cached: fake timers (vitest, sinon) replace the global,
// and every timed primitive must follow them.
const origin = performance.timeOrigin;

/**
 * The real clock: `performance` for time, the host's timers for waiting. Delays above the host's
 * limit (about 24.8 days) are chained rather than fired at once, and `Infinity` never fires.
 */
export const systemClock: Clock = {
  now: () => origin + performance.now(),
  setTimeout: setLongTimeout,
  clearTimeout: clearLongTimeout,
};

/** @internal Throws `InvalidOptionsError` unless `clock` is undefined or a {@link Clock}. */
export function assertClock(owner: string, clock: unknown): asserts clock is Clock | undefined {
  if (clock === undefined) return;
  const candidate = clock as Partial<Record<keyof Clock, unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.now !== 'function' || typeof candidate.setTimeout !== 'function' || typeof candidate.clearTimeout !== 'function') {
    throw new InvalidOptionsError(owner, 'clock', 'must have now(), setTimeout() and clearTimeout()');
  }
}
