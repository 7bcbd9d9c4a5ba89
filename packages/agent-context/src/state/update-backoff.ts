import type { WorkflowContext } from '@tta/primitives';

// The `Clock` of a workflow context, named through the context so this file needs no entry point of its own.
type BackoffClock = WorkflowContext['clock'];

/** @internal The settled backoff of one `Blackboard.update` call. */
export interface UpdateBackoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly random: () => number;
}

/**
 * @internal The wait before the round after `attempt` (the one that lost, from 1): "full jitter"
 * (a uniform draw in `[0, min(maxDelayMs, initialDelayMs × 2^(attempt-1))]`). Writers that lost
 * the same round spread over a window that doubles each round, so the store serves them one after
 * another instead of all of them retrying in step and all but one losing again.
 */
export function updateBackoffDelayMs(backoff: UpdateBackoff, attempt: number): number {
  const ceiling = Math.min(backoff.maxDelayMs, backoff.initialDelayMs * 2 ** Math.min(attempt - 1, 52));
  const draw = backoff.random();
  // A random source outside [0, 1) must not push the wait outside its bounds.
  const unit = draw > 0 ? Math.min(draw, 1) : 0;
  return unit * ceiling;
}

// Without a clock the host's timers wait: the delays are bounded by `maxDelayMs`, checked below the
// host's timer limit, so no long-timer chaining is needed.
const hostTimers = {
  setTimeout: (callback: () => void, delayMs: number): unknown => setTimeout(callback, delayMs),
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** @internal Longest `maxDelayMs` accepted: the host's timer limit (about 24.8 days). */
export const maxUpdateDelayMs = 2_147_483_647;

/**
 * @internal Resolves after `delayMs` on `clock` (the host's timers without one), or rejects with
 * the reason of the first of `signals` to abort. Leaves no timer and no listener behind either way.
 */
export function waitBeforeRetry(delayMs: number, clock: Pick<BackoffClock, 'setTimeout' | 'clearTimeout'> = hostTimers, signals: readonly AbortSignal[] = []): Promise<void> {
  for (const signal of signals) if (signal.aborted) return Promise.reject(signal.reason);
  if (delayMs <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const release = (): void => {
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
    };
    const handle = clock.setTimeout(() => {
      release();
      resolve();
    }, delayMs);
    function onAbort(this: AbortSignal): void {
      clock.clearTimeout(handle);
      release();
      reject(this.reason);
    }
    for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
  });
}
