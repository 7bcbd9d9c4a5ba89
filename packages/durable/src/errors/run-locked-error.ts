import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.RunLockedError');

/**
 * Thrown when another process holds the run's lease (it is running or resuming the run), or when a
 * write comes with a token whose lease was lost. Retryable: once the owner finishes, or its lease
 * expires after a crash, the run can be taken over.
 */
export class RunLockedError extends TtaError<'RUN_LOCKED'> {
  private readonly [marker] = true;
  /** The owner may finish or die; trying later may succeed. */
  override readonly retryable: boolean = true;
  /** The run whose lease is held. */
  readonly runId: string;

  constructor(runId: string, options: TtaErrorOptions = {}) {
    super(`Run "${runId}" is held by another owner (its lease is live), or this owner's lease was lost`, 'RUN_LOCKED', options);
    this.runId = runId;
  }

  /** True when `error` is a RunLockedError, from any copy of the package. */
  static override isInstance(error: unknown): error is RunLockedError {
    return hasBrand(error, marker);
  }
}
