import { TtaError } from '@tta/primitives';

/** Why `initializeObservability` returned false. */
export type InitializationFailureReason = 'invalid-options' | 'missing-dependency' | 'metrics-port' | 'sdk-start';

const marker = Symbol.for('@tta/observability.InitializationFailure');

/** @internal A failed step of `initializeObservability`; its message is the line that gets logged. */
export class InitializationFailure extends TtaError {
  private readonly [marker] = true;
  readonly reason: InitializationFailureReason;

  constructor(reason: InitializationFailureReason, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, 'OBSERVABILITY_NOT_INITIALIZED', options);
    this.reason = reason;
  }

  /** True when `error` is an InitializationFailure, from any copy of the package. */
  static override isInstance(error: unknown): error is InitializationFailure {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
