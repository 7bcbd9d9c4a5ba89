import type { TtaErrorOptions } from '@tta/primitives';
import { TtaError, hasMarkerOf } from './marker.js';

const marker = Symbol.for('@tta/keploy-testing.UnreplayedConnectionError');

/**
 * Thrown (as the socket's error) in replay mode when code opens a `net` connection to a host and port
 * that a non-HTTP mock (Mongo, MySQL, Postgres...) recorded: those mocks are kept but not replayed, and the
 * connection must not reach a real database instead.
 */
export class UnreplayedConnectionError extends TtaError<'UNREPLAYED_CONNECTION'> {
  private readonly [marker] = true;
  /** `host:port` the connection was for. */
  readonly target: string;
  /** The kind of the mock that recorded it, e.g. `Mongo`. */
  readonly mockKind: string;
  /** Replay refuses it every time. */
  override readonly retryable: boolean = false;

  constructor(target: string, mockKind: string, testSet: string, options: TtaErrorOptions = {}) {
    super(
      `Connection to ${target} refused in replay: test set "${testSet}" recorded it as a ${mockKind} mock, ` +
        'and only HTTP mocks are replayed; start the real service or mock that client in the test',
      'UNREPLAYED_CONNECTION',
      options,
    );
    this.target = target;
    this.mockKind = mockKind;
  }

  /** True when `error` is an UnreplayedConnectionError, from any copy of the package. */
  static override isInstance(error: unknown): error is UnreplayedConnectionError {
    return hasMarkerOf(error, marker);
  }
}
