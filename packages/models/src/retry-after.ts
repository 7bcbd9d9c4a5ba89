/** The longest wait a server's `Retry-After` may ask for; a longer one is cut to this. */
export const maxRetryAfterMs = 60_000;

/**
 * Milliseconds a server asked to wait: `retry-after-ms`, else `Retry-After` as seconds or as an HTTP
 * date (relative to `now`), bounded to 0..60 s; undefined when it said nothing readable (a sign, hex
 * or an exponent is not delay-seconds).
 *
 * @example
 * ```ts
 * parseRetryAfter(new Headers({ 'retry-after': '2' })); // 2000
 * ```
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms')?.trim();
  if (milliseconds !== undefined && decimal.test(milliseconds)) return clamp(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (decimal.test(value)) return clamp(Number(value) * 1000);
  // Date.parse reads almost anything ('1 2' is a date in 2001): an HTTP date names its day or month.
  if (!/[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clamp(date - now);
}

/** Delay-seconds are digits (a fraction tolerated); `Number()` would also take hex, exponents and signs. */
const decimal = /^\d+(\.\d+)?$/;

function clamp(ms: number): number {
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}
