import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.RunNotSuspendedError');

/**
 * Thrown when a value is given for a run that waits for nothing: it is running, completed, failed or
 * cancelled, or another resumer's value already answered the wait.
 */
export class RunNotSuspendedError extends TtaError<'RUN_NOT_SUSPENDED'> {
  private readonly [marker] = true;
  /** The wait is gone: the same value is refused the same way. */
  override readonly retryable: boolean = false;
  /** The run the value was for. */
  readonly runId: string;
  /** The run's status when the value came. */
  readonly status: string;

  constructor(runId: string, status: string, options: TtaErrorOptions = {}) {
    super(`Run "${runId}" is not suspended (its status is ${status}): there is no wait to answer`, 'RUN_NOT_SUSPENDED', options);
    this.runId = runId;
    this.status = status;
  }

  /** True when `error` is a RunNotSuspendedError, from any copy of the package. */
  static override isInstance(error: unknown): error is RunNotSuspendedError {
    return hasBrand(error, marker);
  }
}
