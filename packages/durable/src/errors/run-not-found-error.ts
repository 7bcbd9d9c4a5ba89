import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.RunNotFoundError');

/** Thrown for a run id the store does not hold: never created, deleted, or removed by retention. */
export class RunNotFoundError extends TtaError<'RUN_NOT_FOUND'> {
  private readonly [marker] = true;
  /** The same id is not found the same way. */
  override readonly retryable: boolean = false;
  /** The run id that was looked up. */
  readonly runId: string;

  constructor(runId: string, options: TtaErrorOptions = {}) {
    super(`Run "${runId}" not found`, 'RUN_NOT_FOUND', options);
    this.runId = runId;
  }

  /** True when `error` is a RunNotFoundError, from any copy of the package. */
  static override isInstance(error: unknown): error is RunNotFoundError {
    return hasBrand(error, marker);
  }
}
