/** Shape of the delay curve between retries. */
export type BackoffKind = 'exponential' | 'linear' | 'constant';

/**
 * A custom backoff: the delay before the next attempt, given the number of the attempt that just
 * failed (from 1), its error and the previous delay (`0` before the first retry). The result is
 * clamped to `[0, maxDelayMs]`; jitter is not applied to it.
 */
export type BackoffFunction = (attempt: number, error: unknown, previousDelayMs: number) => number;

/** How the delay is randomised so that many clients do not retry in step. */
export type JitterKind = 'decorrelated' | 'full' | 'none';

/** @internal The settled options the delay computation needs. */
export interface BackoffSettings {
  readonly backoff: BackoffKind | BackoffFunction;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  readonly jitter: JitterKind;
  readonly random: () => number;
}

/**
 * @internal The delay before the attempt after `attempt` (the failed one, from 1).
 *
 * - The curve value `d` is `initial × factor^(attempt-1)` (exponential), `initial × attempt`
 *   (linear) or `initial` (constant), capped at `maxDelayMs`.
 * - `'none'` waits exactly `d`; `'full'` waits a uniform value in `[0, d]`.
 * - `'decorrelated'` (after the AWS architecture blog's "decorrelated jitter") draws from
 *   `[initial, previous × factor × 1.5]` for the exponential curve, so each delay depends on the
 *   previous random one rather than on the attempt number (with factor 2 this is the classic
 *   `[base, previous × 3]`); for the linear and constant curves it draws from `[d / 2, d × 1.5]`,
 *   which keeps their average shape. Either way the result is capped at `maxDelayMs`.
 *
 * Every result lies in `[0, maxDelayMs]`, whatever the options, the attempt or the random source.
 */
export function computeBackoffDelay(settings: BackoffSettings, attempt: number, error: unknown, previousDelayMs: number): number {
  const { initialDelayMs, maxDelayMs } = settings;
  const backoff = settings.backoff;
  if (typeof backoff === 'function') return clamp(backoff(attempt, error, previousDelayMs), maxDelayMs);
  let curve: number;
  if (backoff === 'constant') curve = initialDelayMs;
  else if (backoff === 'linear') curve = initialDelayMs * attempt;
  else curve = initialDelayMs * Math.pow(settings.factor, attempt - 1);
  curve = clamp(curve, maxDelayMs);
  const jitter = settings.jitter;
  if (jitter === 'none') return curve;
  const random = unit(settings.random());
  if (jitter === 'full') return clamp(random * curve, maxDelayMs);
  if (backoff === 'exponential') {
    const previous = previousDelayMs > 0 ? previousDelayMs : initialDelayMs;
    const upper = Math.max(initialDelayMs, previous * settings.factor * 1.5);
    return clamp(initialDelayMs + random * (upper - initialDelayMs), maxDelayMs);
  }
  return clamp(curve / 2 + random * curve, maxDelayMs);
}

function clamp(value: number, maxDelayMs: number): number {
  if (Number.isNaN(value) || value <= 0) return 0;
  return value > maxDelayMs ? maxDelayMs : value;
}

// A random source outside [0, 1) must not push a delay outside its bounds.
function unit(value: number): number {
  if (!(value > 0)) return 0;
  return value >= 1 ? 1 : value;
}
