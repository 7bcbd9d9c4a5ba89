import type { StepFrame } from './step-frame.js';

/** Kinds whose repeated children are attempts at one call (a retry's, a hedge's), not new calls. */
const attemptKinds: ReadonlySet<string> = new Set(['retry', 'hedge']);

const occurrence = /#\d+$/;

/**
 * The path a step's `idempotencyKey` names: its step path, except that the attempts of a `retry`
 * or a `hedge` share their first attempt's segment (`charge`, not `charge#2`). An attempt that
 * failed after its side effect (a charge made, then the connection reset) is retried with the same
 * key, so the provider can tell it is the same call; a loop's repeats stay apart (`call#2`).
 */
export function idempotencyPath(frame: StepFrame): string {
  let attempt = false;
  for (let at: StepFrame | undefined = frame; at?.parent !== undefined; at = at.parent) {
    if (attemptKinds.has(at.parent.primitive.kind) && occurrence.test(at.segment)) {
      attempt = true;
      break;
    }
  }
  if (!attempt) return frame.path;
  const segments: string[] = [];
  for (let at: StepFrame | undefined = frame; at !== undefined; at = at.parent) {
    segments.push(at.parent !== undefined && attemptKinds.has(at.parent.primitive.kind) ? at.segment.replace(occurrence, '') : at.segment);
  }
  return segments.reverse().join('/');
}
