import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';

/**
 * @internal Checks a constructor's (or factory's) options argument: it must be a plain object, not
 * `null`, an array or a primitive. Throws `InvalidOptionsError` naming the `options` argument.
 * With `known`, a key outside it is refused too (naming the key and the accepted ones), so a typo
 * (`mode` for `strategy`, `ttl` for `ttlMs`) fails at construction instead of being ignored.
 */
export function assertOptionsObject(kind: string, options: unknown, known?: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionsError(kind, 'options', `must be an object (got ${describeValue(options)})`);
  }
  if (known === undefined) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidOptionsError(kind, key, `is not an option of ${kind} (it takes ${[...known].sort().join(', ')})`);
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
