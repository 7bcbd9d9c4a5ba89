import { InvalidOptionsError } from '@tta/primitives';
import { describeValue, requireNonEmptyString, requireOneOf, requireOptionsObject } from '@tta/primitives/instrumentation';
import { assertSchema, type Schema } from './schema.js';
import type { StateScope } from './shared-state.js';

/** A typed name for a blackboard entry: its key, scope and (optionally) the schema of its value. */
export interface StateKey<T> {
  readonly key: string;
  readonly scope: StateScope;
  /** Values written under this key are validated with it. */
  readonly schema: Schema<T> | undefined;
  /** Default TTL of writes under this key. */
  readonly ttlMs: number | undefined;
}

/** Options of {@link stateKey}. */
export interface StateKeyOptions<T> {
  /** @default 'workflow' */
  readonly scope?: StateScope;
  /** Standard Schema of the value (zod, valibot, arktype...); writes that do not match are refused with `ValidationError`. */
  readonly schema?: Schema<T>;
  /** Default TTL of writes under this key. @default no expiry */
  readonly ttlMs?: number;
}

/**
 * Declares a typed blackboard entry. With a schema, the value type comes from the schema.
 *
 * @example
 * ```ts
 * const plan = stateKey('plan', { schema: z.object({ steps: z.array(z.string()) }) });
 * await context.blackboard.set(plan, { steps: ['research', 'write'] });
 * ```
 */
export function stateKey<T = unknown>(key: string, options: StateKeyOptions<T> = {}): StateKey<T> {
  requireNonEmptyString('stateKey', 'key', key);
  requireOptionsObject('stateKey', options, { optional: true });
  const scope = options.scope ?? 'workflow';
  requireOneOf('stateKey', 'scope', scope, ['workflow', 'session', 'global']);
  if (options.schema !== undefined) assertSchema('stateKey', 'schema', options.schema);
  const ttlMs = options.ttlMs;
  if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) throw new InvalidOptionsError('stateKey', 'ttlMs', `must be a positive number (got ${describeValue(ttlMs)})`);
  return Object.freeze({ key, scope, schema: options.schema, ttlMs });
}
