import { InvalidOptionsError } from '@tta/primitives';
import { systemClock, type Clock } from '@tta/primitives/instrumentation';

/** A clock that the runner moves to each test case's recorded time; see {@link recordedTimeClock}. */
export interface RecordedTimeClock extends Clock {
  /** Makes `now()` read `timestamp` (RFC 3339 or epoch ms) from this moment on, advancing in real time. */
  travelTo(timestamp: string | number): void;
  /** Back to the real time. */
  reset(): void;
}

/**
 * A clock for the app under test, when it reads time through the toolkit's `Clock`: pass it to the app and
 * as `appClock` to `runTestSet`, which moves it to each test case's recorded request time before sending
 * it. A JWT or `Date` the app builds from it then equals the recorded one, on any later day.
 *
 * @example
 * ```ts
 * const clock = recordedTimeClock();
 * const app = createApp({ clock }); // signs tokens with clock.now()
 * await runTestSet({ testSet: 'test-set-0', baseUrl, appClock: clock });
 * ```
 */
export function recordedTimeClock(base: Clock = systemClock): RecordedTimeClock {
  let offsetMs = 0;
  return {
    now: () => base.now() + offsetMs,
    setTimeout: (callback, delayMs) => base.setTimeout(callback, delayMs),
    clearTimeout: (handle) => base.clearTimeout(handle),
    travelTo(timestamp) {
      const target = typeof timestamp === 'number' ? timestamp : Date.parse(timestamp);
      if (!Number.isFinite(target)) throw new InvalidOptionsError('recordedTimeClock.travelTo', 'timestamp', `must be an RFC 3339 time or epoch milliseconds (got ${String(timestamp)})`);
      offsetMs = target - base.now();
    },
    reset() {
      offsetMs = 0;
    },
  };
}
