import { WorkflowPrimitive, type PrimitiveOptions } from './workflow-primitive.js';
import { fnv1a, wholeCharactersHead } from '../observability/bounded-name.js';
import { redactText } from '../logging/redact.js';

/**
 * Longest name {@link wrapperName} makes: the longest label value that `@tta/observability` keeps
 * in Prometheus (a longer one becomes `other`, merging the series this naming exists to separate).
 */
export const maxWrapperNameLength = 64;

// A longer name keeps this many leading characters, then `…` and an 8-digit hash of the whole.
const keptPrefixLength = maxWrapperNameLength - 9;

/**
 * The default name of a primitive that wraps one other: its kind with the wrapped one's name in
 * parentheses, `retry(reserve-stock)`, nesting as the wrappers do, `timeout(retry(reserve-stock))`.
 * Without it two retries around different steps would share the name `retry`, and so one metrics
 * entry, one Prometheus series and one span name. `wrapped` is the wrapped primitive, or a name for
 * what is wrapped when that is not a primitive (an agent's id). A name longer than
 * {@link maxWrapperNameLength} keeps its first 55 characters, then `…` and a hash of the whole,
 * so deep nests stay distinct, stable across processes and short enough for every metrics backend.
 * A credential-shaped wrapped name is redacted: `retry([REDACTED])`.
 *
 * @example
 * ```ts
 * const reserve = step('reserve-stock', async (order: { sku: string }) => order.sku);
 * wrapperName('retry', reserve); // 'retry(reserve-stock)'
 * wrapperName('agent-handoff', 'coder'); // 'agent-handoff(coder)'
 * ```
 */
export function wrapperName(kind: string, wrapped: WorkflowPrimitive<never, unknown> | string): string {
  const inner = typeof wrapped === 'string' ? wrapped : wrapped instanceof WorkflowPrimitive ? wrapped.name : '';
  // A bad argument is refused by the wrapper's own checks, which name the option; here it just
  // leaves the kind alone rather than throwing a less helpful error first.
  if (typeof inner !== 'string' || inner.length === 0) return kind;
  // The wrapped name is repeated here, and this name becomes metric keys and span names: a credential
  // in it (a step named after request data) is redacted once, now, rather than on every use.
  const name = `${kind}(${redactText(inner)})`;
  if (name.length <= maxWrapperNameLength) return name;
  return `${wholeCharactersHead(name, keptPrefixLength)}…${fnv1a(name)}`;
}

/**
 * @internal The base-constructor options of a wrapper: `options` with `name` defaulted to
 * {@link wrapperName}. Options that are not an object, or that name the primitive, are returned as
 * they are, so that the base constructor's checks still see (and refuse) exactly what was given.
 */
export function withWrapperName(kind: string, wrapped: WorkflowPrimitive<never, unknown> | string, options: PrimitiveOptions): PrimitiveOptions {
  if (typeof options !== 'object' || options === null || options.name !== undefined) return options;
  // Read, not spread: a spread copies own keys only, and would drop an `instrument` the options
  // inherit (a class instance, `Object.create(defaults)`) that the base constructor reads otherwise.
  const instrument = options.instrument;
  const name = wrapperName(kind, wrapped);
  return instrument === undefined ? { name } : { name, instrument };
}
