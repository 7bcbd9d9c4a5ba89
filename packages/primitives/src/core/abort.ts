import { systemClock, type Clock } from './clock.js';

let neverAborted: AbortSignal | undefined;
const noop = (): void => {};

/** A shared signal that never aborts (made once, on first use). */
export function neverAbortedSignal(): AbortSignal {
  return (neverAborted ??= new AbortController().signal);
}

const scopeOfSignal = Symbol('tta.abortScope');
// Removes a scope's listeners from its parents once the scope and its signal are garbage, so a
// long-lived caller signal does not collect one listener per run (AbortSignal.any does the same).
const unlinkWhenCollected: FinalizationRegistry<() => void> | undefined =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((unlink) => unlink()) : undefined;

/** The minimal view of an abortable parent that a {@link LazyAbort} links to. */
export interface AbortParent {
  readonly aborted: boolean;
  readonly abortReason: unknown;
  readonly signal: AbortSignal;
  /** Calls `callback` once on abort, without creating a signal when none exists yet; returns the unsubscribe. */
  subscribe?(callback: (reason: unknown) => void): () => void;
}

/**
 * Calls `callback` once when `parent` aborts and returns the function that cancels the
 * subscription. Uses the scope's own subscription when it has one, so waiting on a lazy scope
 * costs no `AbortController`.
 */
export function subscribeToAbort(parent: AbortParent, callback: (reason: unknown) => void): () => void {
  // Like addEventListener on an aborted signal: an abort that already happened is not reported
  // (callers check `aborted` first).
  if (parent.aborted) return noop;
  if (parent.subscribe !== undefined) return parent.subscribe(callback);
  const signal = parent.signal;
  const onAbort = (): void => callback(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
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

  /**
   * @param parent the scope this one is cancelled with
   * @param extra an additional signal this scope is cancelled with (linked only when the signal is read)
   */
  constructor(
    private readonly parent: AbortParent | undefined,
    private readonly extra?: AbortSignal,
  ) {}

  get aborted(): boolean {
    if (this.ownAborted) return true;
    if (this.extra !== undefined && this.extra.aborted) {
      this.abort(this.extra.reason);
      return true;
    }
    return this.parent !== undefined && this.parent.aborted;
  }

  get abortReason(): unknown {
    if (this.aborted && this.ownAborted) return this.ownReason;
    return this.parent?.abortReason;
  }

  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    const controller = new AbortController();
    this.controller = controller;
    if (this.aborted) {
      controller.abort(this.abortReason);
      return controller.signal;
    }
    const sources: AbortSignal[] = [];
    if (this.parent !== undefined) sources.push(this.parent.signal);
    if (this.extra !== undefined) sources.push(this.extra);
    // The parents hold this scope only weakly; the signal holds it strongly, so the link lives as
    // long as somebody can still observe the signal.
    const scope = new WeakRef(this);
    const removers = sources.map((source) => {
      const onAbort = (): void => scope.deref()?.abort(source.reason);
      source.addEventListener('abort', onAbort, { once: true });
      return () => source.removeEventListener('abort', onAbort);
    });
    const unlink = (): void => removers.forEach((remove) => remove());
    this.unlink = unlink;
    (controller.signal as unknown as Record<symbol, unknown>)[scopeOfSignal] = this;
    unlinkWhenCollected?.register(this, unlink, this);
    return controller.signal;
  }

  /** Aborts this scope (not its parent); later calls are ignored. */
  abort(reason: unknown): void {
    if (this.ownAborted) return;
    this.ownAborted = true;
    this.ownReason = reason;
    this.release();
    this.controller?.abort(reason);
    const callbacks = this.callbacks;
    const unsubscribe = this.unsubscribeParents;
    this.callbacks = undefined;
    this.unsubscribeParents = undefined;
    unsubscribe?.();
    if (callbacks !== undefined) for (const callback of callbacks) callback(reason);
  }

  private holds = 0;
  private callbacks: Set<(reason: unknown) => void> | undefined;
  private unsubscribeParents: (() => void) | undefined;

  /**
   * Calls `callback` once when this scope aborts (itself or through a parent). Unlike reading
   * `signal`, this creates no `AbortController`: the parents are subscribed to the same way.
   */
  subscribe(callback: (reason: unknown) => void): () => void {
    if (this.controller !== undefined) {
      const signal = this.controller.signal;
      const onAbort = (): void => callback(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    }
    const callbacks = (this.callbacks ??= new Set());
    callbacks.add(callback);
    if (this.unsubscribeParents === undefined) {
      const parts: Array<() => void> = [];
      if (this.parent !== undefined) parts.push(subscribeToAbort(this.parent, (reason) => this.abort(reason)));
      const extra = this.extra;
      if (extra !== undefined) {
        const onAbort = (): void => this.abort(extra.reason);
        extra.addEventListener('abort', onAbort, { once: true });
        parts.push(() => extra.removeEventListener('abort', onAbort));
      }
      this.unsubscribeParents = () => parts.forEach((unsubscribe) => unsubscribe());
    }
    return () => {
      callbacks.delete(callback);
      if (callbacks.size === 0 && this.callbacks === callbacks) {
        this.callbacks = undefined;
        const unsubscribe = this.unsubscribeParents;
        this.unsubscribeParents = undefined;
        unsubscribe?.();
      }
    };
  }

  /** @internal Marks a run as using this scope (a deadline armed on it). */
  hold(): void {
    this.holds++;
  }

  /**
   * @internal Ends a {@link hold}. When the last run is over the scope lets go of its parents (no
   * listener stays on a long-lived caller signal) and forgets its controller, so a later run reads
   * a freshly linked signal.
   */
  drop(): void {
    if (--this.holds > 0 || this.ownAborted) return;
    this.release();
    this.controller = undefined;
  }

  /** Removes the link to the parents; call when the scope's work is over. */
  release(): void {
    const unlink = this.unlink;
    if (unlink === undefined) return;
    this.unlink = undefined;
    unlinkWhenCollected?.unregister(this);
    unlink();
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
