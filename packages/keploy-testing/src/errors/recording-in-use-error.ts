import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.RecordingInUseError');

/**
 * Thrown by `startRecording()` while another session intercepts the process: interception is global,
 * so one session at a time (stop the other first).
 */
export class RecordingInUseError extends TtaError {
  private readonly [marker] = true;

  constructor(activeTestSet: string) {
    super(`A recording session for test set "${activeTestSet}" is still active; stop() it before starting another`, 'RECORDING_IN_USE');
  }

  /** True when `error` is a RecordingInUseError, from any copy of the package. */
  static override isInstance(error: unknown): error is RecordingInUseError {
    return hasMarkerOf(error, marker);
  }
}
