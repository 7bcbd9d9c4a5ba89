import { redactText } from '../logging/redact.js';
import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.CompensationError');

/**
 * Rejection of a `CompensationPrimitive` (saga) when at least one undo failed while compensating.
 * It carries the failure that started the compensation and every undo failure, so none is lost.
 */
export class CompensationError extends TtaError<'COMPENSATION_FAILED'> {
  private readonly [marker] = true;
  /** The completed steps were undone, so the whole saga may run again. */
  override readonly retryable: boolean = true;
  /** The failure (or abort reason, or timeout) that made the saga compensate. */
  readonly originalError: unknown;
  /** Every undo failure, in the order the undos ran (last completed step first). */
  readonly undoErrors: readonly unknown[];

  /**
   * @param originalError what made the saga compensate (also the `cause`, unless `options` says otherwise)
   * @param undoErrors every undo failure, in the order the undos ran
   */
  constructor(originalError?: unknown, undoErrors: readonly unknown[] = [], options: TtaErrorOptions = {}) {
    super(
      originalError === undefined
        ? `Compensation failed: ${undoErrors.length} undo action(s) failed`
        : `Compensation failed: ${undoErrors.length} undo action(s) failed after: ${describe(originalError)}`,
      'COMPENSATION_FAILED',
      'cause' in options ? options : { cause: originalError },
    );
    this.originalError = originalError;
    this.undoErrors = undoErrors;
  }

  /** True when `error` is a CompensationError, from any copy of the package. */
  static override isInstance(error: unknown): error is CompensationError {
    return hasMarker(error, marker);
  }
}

// The failure that started the compensation may quote what an upstream echoed: redact what is quoted.
function describe(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}
