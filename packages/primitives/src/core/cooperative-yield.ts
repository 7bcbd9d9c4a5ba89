/**
 * How long, in milliseconds, promise-only work (a source that never awaits real I/O) may hold the
 * thread before it lets timers and I/O run: without such a break a deadline or `timeoutMs` timer
 * can never fire, so an endless synchronous stream could be neither stopped nor aborted.
 */
export const cooperativeSliceMs = 10;

// Reading the time costs tens of nanoseconds: look at it only every so many calls.
const callsBetweenChecks = 64;

// setImmediate (Node, Bun, Deno) runs right after pending I/O and timers; elsewhere setTimeout(0).
// Both are read once, at load: fake timers installed later (vi.useFakeTimers) must not turn a
// break into a wait that only the test's clock can end.
const hostSetImmediate = typeof setImmediate === 'function' ? setImmediate : undefined;
const hostSetTimeout = setTimeout;
const scheduleMacrotask: (callback: () => void) => void =
  hostSetImmediate !== undefined
    ? (callback) => {
        hostSetImmediate(callback);
      }
    : (callback) => {
        hostSetTimeout(callback, 0);
      };

/** @internal Resolves on a later macrotask, after the timers and I/O callbacks that are due. */
export function yieldToMacrotask(): Promise<void> {
  return new Promise((resolve) => scheduleMacrotask(resolve));
}

/**
 * @internal Tells a loop of promise-only steps when to yield: `due()` is true once the loop has run
 * for {@link cooperativeSliceMs} since the last break. Costs a counter increment per call, and a
 * clock read every 64 calls; a loop that awaits real I/O yields at most once per slice.
 */
export class CooperativeBudget {
  private calls = 0;
  private sliceStartMs = performance.now();

  /** True when the caller should `await yieldToMacrotask()` before its next step. */
  due(): boolean {
    if (++this.calls < callsBetweenChecks) return false;
    this.calls = 0;
    const now = performance.now();
    if (now - this.sliceStartMs < cooperativeSliceMs) return false;
    this.sliceStartMs = now;
    return true;
  }
}
