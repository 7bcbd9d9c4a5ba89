/**
 * The longest delay a host timer honours (2^31 − 1 ms, about 24.8 days). Node and browsers store
 * the delay in a signed 32-bit integer and fire a longer one after about 1 ms, which would turn a
 * 30-day wait into an immediate one.
 */
export const maxTimerDelayMs = 2_147_483_647;

type HostTimer = ReturnType<typeof setTimeout>;

interface Referable {
  ref(): unknown;
  unref(): unknown;
}

/**
 * A timer for a delay longer than {@link maxTimerDelayMs}: a chain of host timers of at
 * most that length each, so it never fires early; `Infinity` never fires and holds no host timer.
 * It can be referenced and unreferenced like Node's `Timeout`, so code that unreferences idle
 * timers treats it the same way.
 */
export class LongTimer {
  private host: HostTimer | undefined = undefined;
  private remainingMs: number;
  private referenced = true;
  private readonly step = (): void => this.onStep();

  constructor(
    private readonly callback: () => void,
    delayMs: number,
  ) {
    this.remainingMs = delayMs;
    // Infinity means "never": no host timer at all, so nothing wakes the process for it.
    if (delayMs !== Infinity) this.schedule();
  }

  /** Stops the timer; later calls are harmless. */
  clear(): void {
    if (this.host !== undefined) clearTimeout(this.host);
    this.host = undefined;
    this.remainingMs = 0;
  }

  /** Lets the timer keep the process alive again (Node); a no-op elsewhere. */
  ref(): this {
    this.referenced = true;
    if (isReferable(this.host)) this.host.ref();
    return this;
  }

  /** Stops the timer from keeping the process alive (Node); a no-op elsewhere. */
  unref(): this {
    this.referenced = false;
    if (isReferable(this.host)) this.host.unref();
    return this;
  }

  /** True when the timer keeps the process alive. */
  hasRef(): boolean {
    return this.referenced && this.host !== undefined;
  }

  private schedule(): void {
    // Counting down (rather than re-reading a clock) keeps the timer exact under fake timers, and
    // hosts never fire a timer early, so the chain never ends before the full delay.
    const delayMs = this.remainingMs > maxTimerDelayMs ? maxTimerDelayMs : this.remainingMs;
    this.remainingMs -= delayMs;
    const host = setTimeout(this.step, delayMs);
    if (!this.referenced && isReferable(host)) host.unref();
    this.host = host;
  }

  private onStep(): void {
    if (this.remainingMs > 0) {
      this.schedule();
      return;
    }
    this.host = undefined;
    this.callback();
  }
}

/**
 * Calls `callback` once after `delayMs`, whatever its size: a plain host `setTimeout` up to
 * {@link maxTimerDelayMs} (nothing added on that path), a {@link LongTimer} above it, never for
 * `Infinity`. Cancel with {@link clearLongTimeout}.
 */
export function setLongTimeout(callback: () => void, delayMs: number): unknown {
  // The handle is opaque (callers only pass it back to clearLongTimeout): naming the host's timer type
  // in the published declarations would make them need Node's or the DOM's types.
  // `NaN > max` is false: a NaN delay keeps the host's meaning (as soon as possible).
  return delayMs > maxTimerDelayMs ? new LongTimer(callback, delayMs) : setTimeout(callback, delayMs);
}

/** Cancels a timer made by {@link setLongTimeout}; unknown handles are ignored. */
export function clearLongTimeout(handle: unknown): void {
  if (handle instanceof LongTimer) handle.clear();
  else clearTimeout(handle as HostTimer);
}

function isReferable(handle: unknown): handle is Referable {
  return typeof handle === 'object' && handle !== null && typeof (handle as Partial<Referable>).unref === 'function' && typeof (handle as Partial<Referable>).ref === 'function';
}
