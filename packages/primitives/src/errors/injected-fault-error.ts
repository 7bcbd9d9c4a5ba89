import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.InjectedFaultError');

/** The default failure of the fault-injection helpers of `@tta/primitives/testing`. */
export class InjectedFaultError extends TtaError<'INJECTED_FAULT'> {
  private readonly [marker] = true;
  /** It stands for a transient fault, the kind retries exist for. */
  override readonly retryable: boolean = true;
  /** Number of the call that failed, from 1. */
  readonly call: number;

  constructor(call = 1, options: TtaErrorOptions = {}) {
    super(`Injected fault on call ${call}`, 'INJECTED_FAULT', options);
    this.call = call;
  }

  /** True when `error` is an InjectedFaultError, from any copy of the package. */
  static override isInstance(error: unknown): error is InjectedFaultError {
    return hasMarker(error, marker);
  }
}
