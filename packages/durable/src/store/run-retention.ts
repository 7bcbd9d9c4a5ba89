import { InvalidOptionsError } from '@tta/primitives';
import type { RunStatus } from '../run-store.js';

/**
 * How long a finished run (completed, failed or cancelled) is kept after its last change, when a
 * store is not told otherwise: 7 days, long enough to inspect a failure after a weekend.
 */
export const defaultRetentionMs = 7 * 24 * 60 * 60 * 1_000;

/**
 * @internal True for the statuses retention removes. Failed runs count: a failure left alone for
 * the whole retention is not coming back, and keeping every failed run would grow without bound.
 * Running and suspended runs are work still to do, and are never removed.
 */
export function isFinished(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** @internal True when a run in `status`, last changed at `updatedAt`, is past its retention at `now`. */
export function isExpired(status: RunStatus, updatedAt: number, now: number, retentionMs: number): boolean {
  return isFinished(status) && now - updatedAt >= retentionMs;
}

/** @internal Throws `InvalidOptionsError` unless `retentionMs` is undefined or a positive number of milliseconds (`Infinity` keeps runs forever). */
export function resolveRetentionMs(store: string, retentionMs: unknown): number {
  if (retentionMs === undefined) return defaultRetentionMs;
  if (typeof retentionMs !== 'number' || Number.isNaN(retentionMs) || retentionMs <= 0) {
    throw new InvalidOptionsError(store, 'retentionMs', `must be a positive number of milliseconds or Infinity, got ${String(retentionMs)}`);
  }
  return retentionMs;
}
