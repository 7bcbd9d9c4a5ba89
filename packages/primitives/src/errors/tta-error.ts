const baseMarker = Symbol.for('@tta/primitives.TtaError');

/** Options shared by every error of the toolkit. */
export interface TtaErrorOptions {
  /** The error that caused this one. */
  readonly cause?: unknown;
}

/**
 * Base class of every error thrown by the toolkit. Each subclass has a stable `code` and a
 * `Symbol.for` brand, so `isInstance()` works even across duplicate installs of the package.
 */
export class TtaError extends Error {
  private readonly [baseMarker] = true;
  /** Stable, machine-readable identifier of the failure. */
  readonly code: string;

  constructor(message: string, code: string, options: TtaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }

  /** True when `error` is a toolkit error, from any copy of the package. */
  static isInstance(error: unknown): error is TtaError {
    return hasMarker(error, baseMarker);
  }
}

/** True when `value` is an object that carries the brand `marker`. */
export function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
