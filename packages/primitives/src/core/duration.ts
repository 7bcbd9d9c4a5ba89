import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { describeValue } from './describe-value.js';

/** What a duration option accepts besides finite numbers `>= 0`. */
export interface DurationRule {
  /** `0` is refused (a zero period or break makes no sense). @default false */
  readonly positive?: boolean;
  /**
   * `Infinity` is accepted and means "never" (no timeout, no expiry, no deadline). Refuse it where
   * waiting forever makes no sense (a retry delay, a break, a refill interval).
   * @default false
   */
  readonly infinity?: boolean;
  /**
   * Whole milliseconds up to `Number.MAX_SAFE_INTEGER` (for expiries sent to a server such as
   * Redis, which refuses fractions and numbers written in exponent form). Implies no `Infinity`.
   * @default false
   */
  readonly integer?: boolean;
}

/** Largest distance from the epoch that a `Date` can hold (ECMAScript: 10^8 days). */
export const maxDateMs = 8.64e15;

/**
 * Throws `InvalidOptionsError` unless `value` is a duration in milliseconds under `rule`. One rule
 * for every duration option, so each says the same thing: NaN, negatives and non-numbers are
 * refused; any finite size is accepted (timers wait that long, beyond the host's 24.8-day limit
 * too); `Infinity` only where it means "never".
 *
 * @example
 * ```ts
 * assertDuration('CachePrimitive', 'ttlMs', options.ttlMs, { positive: true, infinity: true });
 * ```
 */
export function assertDuration(owner: string, option: string, value: unknown, rule: DurationRule = {}): asserts value is number {
  if (typeof value === 'number' && (rule.positive === true ? value > 0 : value >= 0)) {
    if (rule.integer === true ? Number.isSafeInteger(value) : value !== Infinity || rule.infinity === true) return;
  }
  throw new InvalidOptionsError(owner, option, `${durationRuleText(rule)} (got ${describeValue(value)})`);
}

/** @internal The rule in words, as every duration option states it. */
export function durationRuleText(rule: DurationRule): string {
  if (rule.integer === true) return `must be an integer ${rule.positive === true ? '>= 1' : '>= 0'} and <= ${Number.MAX_SAFE_INTEGER}`;
  const bound = rule.positive === true ? '> 0' : '>= 0';
  return rule.infinity === true ? `must be a number ${bound} or Infinity` : `must be a finite number ${bound}`;
}

/**
 * Throws `InvalidInputError` unless `value` is an absolute time (epoch ms) a `Date` can hold, or
 * `Infinity` ("never"). A deadline may come from a request header, so a bad one is an input
 * error of the run, not a programming error; NaN and non-numbers stay `InvalidOptionsError`.
 */
export function assertDeadline(owner: string, option: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new InvalidOptionsError(owner, option, `must be a number (epoch milliseconds) (got ${describeValue(value)})`);
  }
  if (value === Infinity || Math.abs(value) <= maxDateMs) return;
  throw new InvalidInputError(owner, `${option} must be a time a Date can hold (|epoch ms| <= ${maxDateMs}) or Infinity (got ${describeValue(value)})`);
}
