import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.InjectedFaultError');

/** The default failure of the fault-injection helpers of `@tta/primitives/testing`. */
export class InjectedFaultError extends TtaError {
  private readonly [marker] = true;
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
