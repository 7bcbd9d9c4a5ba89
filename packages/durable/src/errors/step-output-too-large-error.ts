import { TtaError, type TtaErrorOptions } from '@tta/primitives';
import { hasBrand } from './brand.js';

const marker = Symbol.for('@tta/durable.StepOutputTooLargeError');

/**
 * Thrown when a step's output is larger than the durable workflow's `maxStepOutputBytes` (as
 * UTF-8 JSON): the journal keeps outputs, not snapshots, and one huge record would make every
 * resume load it. Journal a reference (a file name, an object-store key) instead.
 */
export class StepOutputTooLargeError extends TtaError<'STEP_OUTPUT_TOO_LARGE'> {
  private readonly [marker] = true;
  /** The same output is as large next time. */
  override readonly retryable: boolean = false;
  /** The step path whose output was refused. */
  readonly path: string;
  /** The output's size, bytes of UTF-8 JSON. */
  readonly bytes: number;
  /** The limit, bytes. */
  readonly maxBytes: number;

  constructor(path: string, bytes: number, maxBytes: number, options: TtaErrorOptions = {}) {
    super(`The output of step "${path}" is ${bytes} bytes of JSON, over the journal's limit of ${maxBytes} bytes per step`, 'STEP_OUTPUT_TOO_LARGE', options);
    this.path = path;
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }

  /** True when `error` is a StepOutputTooLargeError, from any copy of the package. */
  static override isInstance(error: unknown): error is StepOutputTooLargeError {
    return hasBrand(error, marker);
  }
}
