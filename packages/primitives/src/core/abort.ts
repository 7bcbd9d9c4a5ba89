import { systemClock, type Clock } from './clock.js';

let neverAborted: AbortSignal | undefined;

/** A shared signal that never aborts (made once, on first use). */
export function neverAbortedSignal(): AbortSignal {
  return (neverAborted ??= new AbortController().signal);
}

/** The minimal view of an abortable parent that a {@link LazyAbort} links to. */
export interface AbortParent {
  readonly aborted: boolean;
  readonly abortReason: unknown;
  readonly signal: AbortSignal;
}

/**
 * An abort scope that creates its `AbortController` only when somebody asks for the signal:
 * creating one costs microseconds, which the success path of a branch should not pay.
 */
export class LazyAbort implements AbortParent {
  private controller: AbortController | undefined;
  private ownReason: unknown;
  private ownAborted = false;
  private unlink: (() => void) | undefined;

  constructor(private readonly parent: AbortParent | undefined) {}

  get aborted(): boolean {
    return this.ownAborted || (this.parent !== undefined && this.parent.aborted);
  }

  get abortReason(): unknown {
    if (this.ownAborted) return this.ownReason;
    return this.parent?.abortReason;
  }

  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    if (this.ownAborted) controller.abort(this.ownReason);
    else if (this.parent !== undefined) {
      if (this.parent.aborted) this.abort(this.parent.abortReason);
      else {
        const parentSignal = this.parent.signal;
        const onAbort = (): void => this.abort(parentSignal.reason);
        parentSignal.addEventListener('abort', onAbort, { once: true });
        this.unlink = () => parentSignal.removeEventListener('abort', onAbort);
      }
    }
    return controller.signal;
  }

  /** Aborts this scope (not its parent); later calls are ignored. */
  abort(reason: unknown): void {
    if (this.ownAborted) return;
    this.ownAborted = true;
    this.ownReason = reason;
    this.release();
    this.controller?.abort(reason);
  }

  /** Removes the link to the parent; call when the scope's work is over. */
  release(): void {
    const unlink = this.unlink;
    this.unlink = undefined;
    unlink?.();
  }
}

/** Wraps an external `AbortSignal` as an {@link AbortParent}. */
export function signalParent(signal: AbortSignal): AbortParent {
  return {
    get aborted() {
      return signal.aborted;
    },
    get abortReason() {
      return signal.reason;
    },
    signal,
  };
}

/**
 * Resolves after `delayMs` on `clock`, or rejects with the signal's reason as soon as it aborts.
 * The timer and the listener are always released.
 */
export function sleep(delayMs: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
