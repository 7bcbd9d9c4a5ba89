import { TtaError, hasMarker, type TtaErrorOptions } from './tta-error.js';

const marker = Symbol.for('@tta/primitives.BrokenCircuitError');

/**
 * Rejection of a call that a circuit breaker did not let through: the circuit is open (or
 * isolated), or it is half-open and every probe slot is taken. Never retried by default.
 */
export class BrokenCircuitError extends TtaError<'CIRCUIT_OPEN'> {
  private readonly [marker] = true;
  /** The circuit refuses calls until its break is over: trying again at once is refused again. */
  override readonly retryable: boolean = false;
  /**
   * Milliseconds until the circuit lets a probe through; `0` when half-open with busy probes,
   * `Infinity` while isolated. `RetryPrimitive` honours it.
   */
  readonly retryAfterMs: number;
  /** Name of the breaker that rejected the call. */
  readonly breaker: string;

  /**
   * @param breaker name of the breaker that rejected the call
   * @param retryAfterMs milliseconds until a probe may pass (`Infinity` while isolated)
   * @param options `cause`: the failure that opened the circuit
   */
  constructor(breaker = 'circuit-breaker', retryAfterMs = Infinity, options: TtaErrorOptions = {}) {
    super(describe(breaker, retryAfterMs), 'CIRCUIT_OPEN', options);
    this.breaker = breaker;
    this.retryAfterMs = retryAfterMs;
  }

  /** True when `error` is a BrokenCircuitError, from any copy of the package. */
  static override isInstance(error: unknown): error is BrokenCircuitError {
    return hasMarker(error, marker);
  }
}

function describe(breaker: string, retryAfterMs: number): string {
  if (Number.isNaN(retryAfterMs)) return `Circuit "${breaker}" is open`;
  if (retryAfterMs === Infinity) return `Circuit "${breaker}" is open (isolated)`;
  if (retryAfterMs <= 0) return `Circuit "${breaker}" is half-open and its probe slots are busy`;
  return `Circuit "${breaker}" is open; retry after ${Math.ceil(retryAfterMs)} ms`;
}
