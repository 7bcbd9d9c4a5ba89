import { beforeEach } from 'vitest';

/** Kinds of active resources that a primitive could leave behind: pending timers. */
const watchedKinds = new Set(['Timeout', 'Immediate']);

let baseline: Map<string, number> | undefined;

function countWatched(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (watchedKinds.has(kind)) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** Captures the resources active before a test; registered for every test file that imports this module. */
export function captureResourceBaseline(): void {
  baseline = countWatched();
}

beforeEach(captureResourceBaseline);

/**
 * Fails when a test left a timer (`Timeout`) or an `Immediate` behind: compares
 * `process.getActiveResourcesInfo()` with the baseline captured before the test. Call it in an
 * `afterEach`, after the test's own clean-up.
 *
 * @example
 * afterEach(expectNoLeakedResources);
 */
export function expectNoLeakedResources(): void {
  const before = baseline ?? new Map<string, number>();
  const leaked: string[] = [];
  for (const [kind, count] of countWatched()) {
    const extra = count - (before.get(kind) ?? 0);
    if (extra > 0) leaked.push(`${extra} ${kind}`);
  }
  if (leaked.length > 0) {
    throw new Error(`The test left active resources behind: ${leaked.join(', ')} (process.getActiveResourcesInfo())`);
  }
}
