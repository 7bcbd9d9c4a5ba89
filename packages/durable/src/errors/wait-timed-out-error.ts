import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.WaitTimedOutError');

/**
 * A suspended run's `waitFor(name, { timeoutMs })` was not answered in time: the run is recorded
 * `failed` with this error by the first `resume`, `start`, `inspect` or `list` that sees the
 * expired wait (no timer runs while no process holds the run).
 */
export class WaitTimedOutError extends TtaError<'WAIT_TIMED_OUT'> {
  private readonly [marker] = true;
  /** The wait is over; resuming fails the same way. */
  override readonly retryable: boolean = false;
  /** The run whose wait expired. */
  readonly runId: string;
  /** The `waitFor` name. */
  readonly waitName: string;
  /** When the wait expired, epoch milliseconds. */
  readonly expiredAt: number;

  constructor(runId: string, waitName: string, expiredAt: number, options: TtaErrorOptions = {}) {
    super(`Run "${runId}" waited for "${waitName}" until ${new Date(expiredAt).toISOString()} without an answer`, 'WAIT_TIMED_OUT', options);
    this.runId = runId;
    this.waitName = waitName;
    this.expiredAt = expiredAt;
  }

  /** True when `error` is a WaitTimedOutError, from any copy of the package. */
  static override isInstance(error: unknown): error is WaitTimedOutError {
    return hasBrand(error, marker);
  }
}
