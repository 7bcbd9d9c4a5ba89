import { afterAll, beforeAll } from 'vitest';
import { startRecording, type RecordingOptions, type RecordingSession } from './recording/recording-session.js';

/** Options of {@link useRecording}: those of `startRecording`, plus the checks made after the file. */
export interface UseRecordingOptions extends RecordingOptions {
  /**
   * After the file's tests, fail when an HTTP recording was never replayed.
   * @default false
   */
  readonly assertAllUsed?: boolean;
}

/** The handle returned by {@link useRecording}; its session exists from `beforeAll` on. */
export interface RecordingHandle {
  /** The running session (throws when read outside the file's tests). */
  readonly session: RecordingSession;
  /** Same as `session.assertAllUsed()`. */
  assertAllUsed(): void;
}

/**
 * Records or replays the outgoing HTTP of one test file: starts a session in `beforeAll` and stops it
 * (writing the files) in `afterAll`. `TTA_RECORD_MODE` overrides `mode`.
 *
 * @example
 * <!-- snippet-prelude: declare function getForecast(city: string): Promise<{ readonly city: string }>; -->
 * ```ts
 * import { expect, it } from 'vitest';
 * const recording = useRecording({ dir: 'keploy', testSet: 'weather-api', mode: 'replay' });
 * it('reads the forecast', async () => { expect(await getForecast('Paris')).toMatchObject({ city: 'Paris' }); });
 * ```
 */
export function useRecording(options: UseRecordingOptions): RecordingHandle {
  let current: RecordingSession | undefined;
  beforeAll(async () => {
    current = await startRecording(options);
  });
  afterAll(async () => {
    const session = current;
    current = undefined;
    if (session === undefined) return;
    await session.stop();
    if (options.assertAllUsed === true && session.mode === 'replay') session.assertAllUsed();
  });
  return {
    get session(): RecordingSession {
      if (current === undefined) throw new Error('useRecording: the session exists only while the file\'s tests run');
      return current;
    },
    assertAllUsed(): void {
      this.session.assertAllUsed();
    },
  };
}
