import { InvalidInputError, InvalidOptionsError, describeValue } from '@tta/primitives';

/**
 * @internal Checks a constructor's (or factory's) options argument: it must be a plain object, not
 * `null`, an array or a primitive. Throws `InvalidOptionsError` naming the `options` argument.
 */
export function assertOptionsObject(kind: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(kind, 'options', `must be an object (got ${describeValue(options)})`);
  }
}

/**
 * @internal Checks a per-call options argument (`undefined` is allowed and means "defaults"). Throws
 * `InvalidInputError` from `operation` when it is anything but an object.
 */
export function assertCallOptions(operation: string, name: string, options: unknown): void {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new InvalidInputError(operation, `${name} must be an object when given (got ${describeValue(options)})`);
  }
}
