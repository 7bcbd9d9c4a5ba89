import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.WorkflowChangedError');

/**
 * Thrown by `resume` when the workflow's definition is not the one the run was started with (its
 * fingerprint, or the `version` the user gave, differs): replaying the journal into other code could
 * give a wrong output, so the run is refused instead. The message names what differs.
 */
export class WorkflowChangedError extends TtaError<'WORKFLOW_CHANGED'> {
  private readonly [marker] = true;
  /** The same code resumes the same way; a deploy of the old code (or a `version`) is needed. */
  override readonly retryable: boolean = false;
  /** The run that was resumed. */
  readonly runId: string;
  /** What differs, e.g. `fingerprint 3f2a… was recorded, the workflow now has 91bc…`. */
  readonly difference: string;

  constructor(runId: string, difference: string, options: TtaErrorOptions = {}) {
    super(`Run "${runId}" was started by another definition of its workflow: ${difference}`, 'WORKFLOW_CHANGED', options);
    this.runId = runId;
    this.difference = difference;
  }

  /** True when `error` is a WorkflowChangedError, from any copy of the package. */
  static override isInstance(error: unknown): error is WorkflowChangedError {
    return hasBrand(error, marker);
  }
}
