import type { Clock, TimerHandle } from '@tta/primitives/instrumentation';
import { LeaseLostError } from './errors/lease-lost-error.js';

/** @internal What {@link watchLease} needs to keep one held lease alive. */
export interface LeaseWatchOptions {
  /** The leased resource, for `LeaseLostError`. */
  readonly resource: string;
  /** Pause between a confirmed extension and the next attempt. */
  readonly renewEveryMs: number;
  /** Local clock time before which Redis cannot have dropped the lease (from the acquiring call). */
  readonly expiresBy: number;
  /** Extends the lease; resolves to the new `expiresBy`, or `undefined` when the token no longer holds it. */
  readonly extend: () => Promise<number | undefined>;
  readonly clock: Clock;
  /** The caller's signal: its abort is passed on to the work, renewals go on until `stop()`. */
  readonly signal?: AbortSignal | undefined;
}

/** @internal A running watch: the work's signal, and how to end the watch. */
export interface LeaseWatch {
  /** Aborts with `LeaseLostError` when the lease may be gone, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** True once the lease was given up as lost. */
  readonly lost: boolean;
  /** Cancels every timer and listener; later replies of extensions are ignored. */
  stop(): void;
}

/**
 * @internal Renews a lease every `renewEveryMs` and aborts the work's signal when the lease may
 * have expired. Loss is decided locally, on the clock: an extension that is not confirmed by the
 * time the last confirmed expiry passes counts as failed, whatever the network does. Waiting for
 * the extension's reply or timeout instead lets a stalled connection outlive the lease while
 * another process already holds it (and with no command timeout, forever).
 */
export function watchLease(options: LeaseWatchOptions): LeaseWatch {
  const { clock, resource } = options;
  const controller = new AbortController();
  let expiresBy = options.expiresBy;
  let renewTimer: TimerHandle | undefined;
  let expiryTimer: TimerHandle | undefined;
  let lost = false;
  let stopped = false;

  const clearTimers = (): void => {
    if (renewTimer !== undefined) clock.clearTimeout(renewTimer);
    if (expiryTimer !== undefined) clock.clearTimeout(expiryTimer);
    renewTimer = undefined;
    expiryTimer = undefined;
  };
  const lose = (cause?: unknown): void => {
    if (stopped || lost) return;
    lost = true;
    clearTimers();
    // The caller may have aborted already: its reason stays, abort() is then a no-op.
    controller.abort(new LeaseLostError(resource, cause === undefined ? {} : { cause }));
  };
  const armExpiry = (): void => {
    if (expiryTimer !== undefined) clock.clearTimeout(expiryTimer);
    expiryTimer = clock.setTimeout(() => lose(), Math.max(0, expiresBy - clock.now()));
  };
  const scheduleRenewal = (): void => {
    renewTimer = clock.setTimeout(() => {
      renewTimer = undefined;
      options.extend().then(
        (confirmedUntil) => {
          if (stopped || lost) return;
          if (confirmedUntil === undefined) return lose();
          expiresBy = Math.max(expiresBy, confirmedUntil);
          armExpiry();
          scheduleRenewal();
        },
        (error: unknown) => lose(error),
      );
    }, options.renewEveryMs);
  };

  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted === true) onOuterAbort();
  else options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  armExpiry();
  scheduleRenewal();

  return {
    signal: controller.signal,
    get lost() {
      return lost;
    },
    stop() {
      stopped = true;
      clearTimers();
      options.signal?.removeEventListener('abort', onOuterAbort);
    },
  };
}
