import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from './describe-value.js';
import { WorkflowPrimitive } from './workflow-primitive.js';

/**
 * @internal Throws `InvalidOptionsError` unless `value` is a {@link WorkflowPrimitive}: the check
 * every wrapper makes of what it wraps. Kept apart from `options.ts` so the base class can use
 * the other rules without importing itself.
 *
 * @example
 * requirePrimitive('RetryPrimitive', 'inner', inner);
 */
export function requirePrimitive(owner: string, option: string, value: unknown): asserts value is WorkflowPrimitive<unknown, unknown> {
  if (value instanceof WorkflowPrimitive) return;
  throw new InvalidOptionsError(owner, option, `must be a WorkflowPrimitive (got ${describeValue(value)})`);
}
