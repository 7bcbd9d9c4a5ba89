import { TtaError, type TtaErrorOptions } from '@tta/primitives';

/** Why `initializeObservability` returned false. */
export type InitializationFailureReason = 'invalid-options' | 'missing-dependency' | 'metrics-port' | 'sdk-start';

const marker = Symbol.for('@tta/observability.InitializationFailure');

/** @internal A failed step of `initializeObservability`; its message is the line that gets logged. */
export class InitializationFailure extends TtaError<'OBSERVABILITY_NOT_INITIALIZED'> {
  private readonly [marker] = true;
  /** The same configuration fails the same way. */
  override readonly retryable: boolean = false;
  readonly reason: InitializationFailureReason;

  constructor(reason: InitializationFailureReason, message: string, options: TtaErrorOptions = {}) {
    super(message, 'OBSERVABILITY_NOT_INITIALIZED', options);
    this.reason = reason;
  }

  /** True when `error` is an InitializationFailure, from any copy of the package. */
  static override isInstance(error: unknown): error is InitializationFailure {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
