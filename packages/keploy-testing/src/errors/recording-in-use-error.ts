import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.RecordingInUseError');

/**
 * Thrown by `startRecording()` while another session intercepts the process: interception is global,
 * so one session at a time (stop the other first).
 */
export class RecordingInUseError extends TtaError<'RECORDING_IN_USE'> {
  private readonly [marker] = true;
  /** Another session holds the recorder until it is stopped. */
  override readonly retryable: boolean = false;

  constructor(activeTestSet: string, options: TtaErrorOptions = {}) {
    super(`A recording session for test set "${activeTestSet}" is still active; stop() it before starting another`, 'RECORDING_IN_USE', options);
  }

  /** True when `error` is a RecordingInUseError, from any copy of the package. */
  static override isInstance(error: unknown): error is RecordingInUseError {
    return hasMarkerOf(error, marker);
  }
}
