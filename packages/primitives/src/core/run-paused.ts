import { hasMarker } from '../errors/tta-error.js';

/**
 * @internal The brand of an abort reason that pauses a run rather than failing it (a durable run
 * suspending at a wait): a `Symbol.for` key, so a package can brand its reason without importing
 * this one. Work that undoes what a run did on failure (a saga's compensations) must not undo it
 * on a pause: the run resumes later and reuses what was done.
 */
export const runPausedMarker: unique symbol = Symbol.for('@tta/primitives.run-paused');

/** @internal True when `reason` pauses its run instead of failing it. */
export function isRunPaused(reason: unknown): boolean {
  return hasMarker(reason, runPausedMarker);
}
