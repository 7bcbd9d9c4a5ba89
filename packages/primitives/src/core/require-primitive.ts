import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from './describe-value.js';
import { WorkflowPrimitive } from './workflow-primitive.js';
import type { OptionalRule } from './options.js';

/**
 * Throws `InvalidOptionsError` unless `value` is a {@link WorkflowPrimitive}: the check
 * every wrapper makes of what it wraps. Kept apart from `options.ts` so the base class can use
 * the other rules without importing itself.
 *
 * @example
 * <!-- snippet-prelude: declare const inner: unknown; -->
 * ```ts
 * requirePrimitive('RetryPrimitive', 'inner', inner);
 * ```
 */
export function requirePrimitive(owner: string, option: string, value: unknown, rule: OptionalRule = {}): asserts value is WorkflowPrimitive<unknown, unknown> {
  if (value instanceof WorkflowPrimitive || (rule.optional === true && value === undefined)) return;
  throw new InvalidOptionsError(owner, option, `must be a WorkflowPrimitive${rule.optional === true ? ' when given' : ''} (got ${describeValue(value)})`);
}

/**
 * Throws `InvalidOptionsError` unless `value` is a non-empty array of primitives, naming
 * the first bad element (`fallbacks[2]`).
 *
 * @example
 * ```ts
 * requirePrimitives('FallbackPrimitive', 'fallbacks', options.fallbacks);
 * ```
 */
export function requirePrimitives(owner: string, option: string, value: unknown): asserts value is readonly WorkflowPrimitive<unknown, unknown>[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidOptionsError(owner, option, `must be a non-empty array of primitives (got ${describeValue(value)})`);
  value.forEach((candidate: unknown, index) => requirePrimitive(owner, `${option}[${index}]`, candidate));
}
