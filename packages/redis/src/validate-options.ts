import { InvalidInputError } from '@tta/primitives';
import { describeValue, requireOptionsObject } from '@tta/primitives/instrumentation';

/**
 * @internal Checks a constructor's (or factory's) options argument: it must be a plain object, not
 * `null`, an array or a primitive. Throws `InvalidOptionsError` naming the `options` argument.
 * With `known`, a key outside it is refused too (naming the key and the accepted ones), so a typo
 * (`mode` for `strategy`, `ttl` for `ttlMs`) fails at construction instead of being ignored.
 */
export function assertOptionsObject(kind: string, options: unknown, known?: readonly string[]): void {
  // The shared validator states the rule, so a Redis store's options fail in the core's words.
  requireOptionsObject(kind, options, known === undefined ? {} : { known });
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
