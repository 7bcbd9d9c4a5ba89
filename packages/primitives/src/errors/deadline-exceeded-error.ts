import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.DeadlineExceededError');

/** The reason a run is aborted with when the deadline of its context passes. */
export class DeadlineExceededError extends TtaError {
  private readonly [marker] = true;
  /** The deadline that passed, in epoch milliseconds. */
  readonly deadline: number | undefined;

  constructor(deadline?: number, options: TtaErrorOptions = {}) {
    super(
      deadline === undefined || !Number.isFinite(deadline) ? 'The workflow deadline passed' : `The workflow deadline (${new Date(deadline).toISOString()}) passed`,
      'DEADLINE_EXCEEDED',
      options,
    );
    this.deadline = deadline;
  }

  /** True when `error` is a DeadlineExceededError, from any copy of the package. */
  static override isInstance(error: unknown): error is DeadlineExceededError {
    return hasMarker(error, marker);
  }
}
