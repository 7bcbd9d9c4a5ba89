import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';

// `u` makes the class match lone halves only: a well-formed pair is one code point, not `Cs`.
const loneSurrogate = /\p{Cs}/u;

/**
 * Refuses, with `InvalidInputError` (`retryable: false`) naming `operation` and `field`, a name
 * that a store addresses data by (a state key or scope id, an agent id, a message type) when it is
 * not a string, is empty (unless `allowEmpty`), or holds a lone UTF-16 surrogate. A network store
 * encodes names as UTF-8, where every lone surrogate becomes U+FFFD: `secret-\ud800` and
 * `secret-\udfff` would name one entry or one inbox, so the in-memory store refuses them too.
 *
 * @example
 * <!-- snippet-prelude: declare const address: { readonly key: unknown }; -->
 * ```ts
 * assertWellFormedName('SharedState.set', 'key', address.key);
 * ```
 */
export function assertWellFormedName(operation: string, field: string, value: unknown, options: { readonly allowEmpty?: boolean } = {}): asserts value is string {
  if (typeof value !== 'string' || (value.length === 0 && options.allowEmpty !== true)) {
    throw new InvalidInputError(operation, `${field} must be a ${options.allowEmpty === true ? '' : 'non-empty '}string (got ${describeValue(value)})`);
  }
  if (loneSurrogate.test(value)) throw new InvalidInputError(operation, `${field} must not contain a lone UTF-16 surrogate, which a network store cannot keep apart from others (got ${describeValue(value)})`);
}
