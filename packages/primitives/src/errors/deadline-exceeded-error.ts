import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.DeadlineExceededError');

/** The reason a run is aborted with when the deadline of its context passes. */
export class DeadlineExceededError extends TtaError<'DEADLINE_EXCEEDED'> {
  private readonly [marker] = true;
  /** The run's time budget is spent: another attempt has no time left either. */
  override readonly retryable: boolean = false;
  /** The deadline that passed, in epoch milliseconds. */
  readonly deadline: number | undefined;

  constructor(deadline?: number, options: TtaErrorOptions = {}) {
    super(
      describeDeadline(deadline),
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

/** Largest distance from the epoch a `Date` can hold (ECMAScript: 10^8 days). */
const maxDateMs = 8.64e15;

// Formatting must never throw: this runs inside timer callbacks, where a throw ends the process.
function describeDeadline(deadline: number | undefined): string {
  if (typeof deadline !== 'number' || !Number.isFinite(deadline)) return 'The workflow deadline passed';
  if (Math.abs(deadline) > maxDateMs) return `The workflow deadline (${deadline} ms since the epoch) passed`;
  return `The workflow deadline (${new Date(deadline).toISOString()}) passed`;
}
