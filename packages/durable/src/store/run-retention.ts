import { InvalidOptionsError } from '@tta/primitives';
import type { RunStatus } from '../run-store.js';

/**
 * How long a finished run (completed, failed or cancelled) is kept after its last change, when a
 * store is not told otherwise: 7 days, long enough to inspect a failure after a weekend.
 */
export const defaultRetentionMs = 7 * 24 * 60 * 60 * 1_000;

/**
 * True for the statuses retention removes. Failed runs count: a failure left alone for the whole
 * retention is not coming back, and keeping every failed run would grow without bound. Running and
 * suspended runs are work still to do, and are never removed.
 *
 * @example
 * ```ts
 * isRunFinished('suspended'); // false
 * ```
 */
export function isRunFinished(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * True when a run in `status`, last changed at `updatedAt`, is past its retention at `now`.
 *
 * @example
 * ```ts
 * isRunExpired('completed', 1_000, 1_000 + defaultRetentionMs, defaultRetentionMs); // true
 * ```
 */
export function isRunExpired(status: RunStatus, updatedAt: number, now: number, retentionMs: number): boolean {
  return isRunFinished(status) && now - updatedAt >= retentionMs;
}

/**
 * The `retentionMs` option of a store, checked: {@link defaultRetentionMs} when undefined; else a
 * positive number of milliseconds (`Infinity` keeps runs forever), or `InvalidOptionsError`.
 *
 * @example
 * ```ts
 * const retentionMs = resolveRetentionMs('MyRunStore', options.retentionMs);
 * ```
 */
export function resolveRetentionMs(store: string, retentionMs: unknown): number {
  if (retentionMs === undefined) return defaultRetentionMs;
  if (typeof retentionMs !== 'number' || Number.isNaN(retentionMs) || retentionMs <= 0) {
    throw new InvalidOptionsError(store, 'retentionMs', `must be a positive number of milliseconds or Infinity, got ${String(retentionMs)}`);
  }
  return retentionMs;
}
