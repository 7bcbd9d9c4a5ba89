import { systemClock, type Clock } from './clock.js';
import { reportListenerError } from './disposable.js';

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

/** The subscribers of one signal and the one listener that serves them all. */
interface SignalFanOut {
  readonly callbacks: Set<(reason: unknown) => void>;
  readonly onAbort: () => void;
}

// One 'abort' listener per signal, whatever the number of runs waiting on it: Node warns
// (MaxListenersExceededWarning) past 10 listeners on one signal, which 11 concurrent runs on a
// caller's signal would otherwise reach.
const fanOuts = new WeakMap<AbortSignal, SignalFanOut>();

/**
 * Calls `callback` once with the signal's reason when `signal` aborts; returns the unsubscribe.
 * Every subscriber of a signal shares one listener, removed when the last one unsubscribes (no
 * listener outlives the runs that wait). An abort that already happened is not reported.
 */
export function subscribeToSignal(signal: AbortSignal, callback: (reason: unknown) => void): () => void {
  if (signal.aborted) return noop;
  let fanOut = fanOuts.get(signal);
  if (fanOut === undefined) {
    const callbacks = new Set<(reason: unknown) => void>();
    const created: SignalFanOut = {
      callbacks,
      onAbort: () => {
        fanOuts.delete(signal);
        for (const subscriber of callbacks) {
          try {
            subscriber(signal.reason);
          } catch (error) {
            // Like an event listener that throws: reported, and the other subscribers still run.
            reportListenerError(error);
          }
        }
        callbacks.clear();
      },
    };
    fanOut = created;
    fanOuts.set(signal, created);
    signal.addEventListener('abort', created.onAbort, { once: true });
  }
  const { callbacks, onAbort } = fanOut;
  // A fresh function per subscription: the same callback subscribed twice is two subscriptions.
  const subscription = (reason: unknown): void => callback(reason);
  callbacks.add(subscription);
  return () => {
    if (!callbacks.delete(subscription) || callbacks.size !== 0 || fanOuts.get(signal)?.callbacks !== callbacks) return;
    fanOuts.delete(signal);
    signal.removeEventListener('abort', onAbort);
  };
}

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
  return subscribeToSignal(parent.signal, callback);
}

/**
 * Settles like `work`, or rejects with the scope's reason as soon as it aborts, whichever comes
 * first (`onAbort` runs then too); the subscription is released either way. For a caller that must
 * not wait on work that may ignore its signal. The scope must not be aborted yet.
 */
export function untilAborted<T>(work: Promise<T>, scope: AbortParent, onAbort?: (reason: unknown) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Subscribing to the scope, not reading its signal, keeps a lazy scope free of AbortControllers.
    const unsubscribe = subscribeToAbort(scope, (reason) => {
      onAbort?.(reason);
      reject(reason);
    });
    work.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        unsubscribe();
        reject(error);
      },
    );
  });
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
   * @param releasedByOwner true when the owner always calls {@link release} (or aborts the scope)
   *   when its work is over: the link to the parents is then strong (see `signal`)
   */
  constructor(
    private readonly parent: AbortParent | undefined,
    private readonly extra?: AbortSignal,
    private readonly releasedByOwner = false,
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
    // A scope whose link is surely released (its owner releases it, or a run holds it and drops it
    // at its end) is linked strongly. Any other is held only weakly by its parents and unlinked
    // when collected, so a forgotten child does not stay on a long-lived signal. A WeakRef keeps
    // its target alive until the current job ends, so making one per run in a loop that never
    // yields a macrotask would keep every run's scope alive: the weak link is only for that case.
    const weak = this.releasedByOwner || this.holds > 0 ? undefined : new WeakRef(this);
    const removers = sources.map((source) =>
      subscribeToSignal(source, (reason) => (weak === undefined ? this : weak.deref())?.abort(reason)),
    );
    const unlink = (): void => removers.forEach((remove) => remove());
    this.unlink = unlink;
    (controller.signal as unknown as Record<symbol, unknown>)[scopeOfSignal] = this;
    if (weak !== undefined) unlinkWhenCollected?.register(this, unlink, this);
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
    if (this.controller !== undefined) return subscribeToSignal(this.controller.signal, callback);
    const callbacks = (this.callbacks ??= new Set());
    callbacks.add(callback);
    if (this.unsubscribeParents === undefined) {
      const parts: Array<() => void> = [];
      if (this.parent !== undefined) parts.push(subscribeToAbort(this.parent, (reason) => this.abort(reason)));
      const extra = this.extra;
      if (extra !== undefined) parts.push(subscribeToSignal(extra, (reason) => this.abort(reason)));
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
    let unsubscribe = noop;
    const handle = clock.setTimeout(() => {
      unsubscribe();
      resolve();
    }, delayMs);
    // Shared listener: many concurrent waits on one caller signal add one listener, not one each.
    if (signal !== undefined) {
      unsubscribe = subscribeToSignal(signal, (reason) => {
        clock.clearTimeout(handle);
        reject(reason);
      });
    }
  });
}
