import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import { assertWellFormedName } from '../data/assert-well-formed-name.js';
import type { StateAddress, StateScope } from './shared-state.js';

/**
 * Refuses, with `InvalidInputError` naming `operation`, an address that no `SharedState` stores:
 * a scope other than `workflow`, `session` or `global`, an empty key, or a key or scope id that is
 * not a well-formed string (a lone surrogate would share a Redis key with others). Every store
 * calls it before it reads or writes, so the in-memory and Redis stores refuse the same addresses.
 *
 * @example
 * <!-- snippet-prelude: declare const address: unknown; -->
 * ```ts
 * assertStateAddress('RedisSharedState.get', address);
 * ```
 */
export function assertStateAddress(operation: string, address: unknown): asserts address is StateAddress {
  if (typeof address !== 'object' || address === null) throw new InvalidInputError(operation, `address must be an object { scope, scopeId, key } (got ${describeValue(address)})`);
  const { scope, scopeId, key } = address as Record<string, unknown>;
  assertStateScope(operation, scope);
  assertWellFormedName(operation, 'key', key);
  assertWellFormedName(operation, 'scopeId', scopeId, { allowEmpty: true });
}

/** Refuses, with `InvalidInputError` naming `operation`, anything but a {@link StateScope}. */
export function assertStateScope(operation: string, scope: unknown): asserts scope is StateScope {
  if (scope !== 'workflow' && scope !== 'session' && scope !== 'global') {
    throw new InvalidInputError(operation, `scope must be 'workflow', 'session' or 'global' (got ${describeValue(scope)})`);
  }
}
