import type { AnyPrimitive } from './workflow-primitive.js';
import type { PrimitiveDescription, PrimitiveOptionValue } from './primitive-description.js';
import type { PrimitiveChild } from './primitive-child.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { boundedMetricName } from '../observability/bounded-name.js';
import { redactText } from '../logging/redact.js';
import { describeValue } from './describe-value.js';

/** Most primitives one description holds: a workflow bigger than this is almost surely built in a loop by mistake. */
export const maxDescribedPrimitives = 10_000;
/** Deepest nesting one description follows; well past any hand-written workflow, well short of the stack. */
export const maxDescribedDepth = 256;

/** @internal Walks the tree under `root`; the body of `WorkflowPrimitive.describe`. */
export function describePrimitive(root: AnyPrimitive): PrimitiveDescription {
  const walk: Walk = { root: root.name, count: 0, ancestors: new Set() };
  return describeNode(root, undefined, walk, 0);
}

interface Walk {
  readonly root: string;
  count: number;
  /** The primitives on the path from the root to the one being described. */
  readonly ancestors: Set<AnyPrimitive>;
}

function describeNode(primitive: AnyPrimitive, label: string | undefined, walk: Walk, depth: number): PrimitiveDescription {
  if (++walk.count > maxDescribedPrimitives) refuse(walk, `the workflow holds more than ${maxDescribedPrimitives} primitives`);
  if (depth > maxDescribedDepth) refuse(walk, `the workflow nests deeper than ${maxDescribedDepth} levels`);
  // A shared instance used twice is described twice; only one that contains itself is refused,
  // since walking it would never end (a router whose routes object was later given the router).
  if (walk.ancestors.has(primitive)) refuse(walk, `"${primitive.name}" contains itself, so the workflow has no finite description`);
  walk.ancestors.add(primitive);
  try {
    const options = summariseOptions(primitive, walk);
    const children = childrenOf(primitive, walk).map((child) => describeNode(child.primitive, child.label, walk, depth + 1));
    return {
      kind: boundedMetricName(primitive.kind),
      name: boundedMetricName(primitive.name),
      ...(label === undefined ? {} : { label: boundedMetricName(label) }),
      ...(options === undefined ? {} : { options }),
      ...(children.length === 0 ? {} : { children }),
    };
  } finally {
    walk.ancestors.delete(primitive);
  }
}

/**
 * What `primitive` runs. A primitive made by an older installed copy of the package has no
 * `_children` and is drawn as a leaf; a custom `_children()` that returns something other than
 * `{ label, primitive }` entries is refused by name rather than crashing the walk.
 */
function childrenOf(primitive: AnyPrimitive, walk: Walk): readonly PrimitiveChild[] {
  if (typeof (primitive as Partial<AnyPrimitive>)._children !== 'function') return [];
  const children: unknown = primitive._children();
  if (!Array.isArray(children)) refuse(walk, `_children() of "${primitive.name}" returned ${describeValue(children)}, not an array`);
  children.forEach((child: Partial<PrimitiveChild> | null, index) => {
    const candidate = child?.primitive as Partial<AnyPrimitive> | undefined;
    if (typeof candidate?.name !== 'string' || typeof candidate.kind !== 'string' || (child!.label !== undefined && typeof child!.label !== 'string')) {
      refuse(walk, `_children()[${index}] of "${primitive.name}" is ${describeValue(child)}, not { label: string | undefined, primitive }`);
    }
  });
  return children as readonly PrimitiveChild[];
}

function summariseOptions(primitive: AnyPrimitive, walk: Walk): { readonly [option: string]: PrimitiveOptionValue } | undefined {
  if (typeof (primitive as Partial<AnyPrimitive>)._describeOptions !== 'function') return undefined;
  const summary: unknown = primitive._describeOptions();
  if (summary === undefined) return undefined;
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) {
    refuse(walk, `_describeOptions() of "${primitive.name}" returned ${describeValue(summary)}, not an object`);
  }
  const options: Record<string, PrimitiveOptionValue> = {};
  let any = false;
  for (const [key, value] of Object.entries(summary)) {
    const shown = optionValue(value);
    if (shown === undefined) {
      if (value === undefined) continue;
      refuse(walk, `option "${key}" of "${primitive.name}" is ${describeValue(value)}; a description holds numbers, strings and booleans only`);
    }
    options[key] = shown;
    any = true;
  }
  return any ? options : undefined;
}

function optionValue(value: unknown): PrimitiveOptionValue | undefined {
  switch (typeof value) {
    case 'function':
      return 'function';
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
      // Redacted before it is cut, so a key cannot survive by straddling the cut.
      return boundedMetricName(redactText(value));
    default:
      return undefined;
  }
}

function refuse(walk: Walk, problem: string): never {
  throw new InvalidInputError(`describe("${boundedMetricName(walk.root)}")`, problem);
}

/**
 * @internal How a description names a pluggable store or limiter: its class name (`'RedisCacheStore'`),
 * or `'custom'` for a plain object, so that swapping the store changes the fingerprint while the
 * instance itself (connections, credentials) never enters the description.
 */
export function describeStore(store: object): string {
  const name: unknown = (store as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'custom';
}

/** @internal The vendor of a Standard Schema (`'zod'`, `'valibot'`), or `'custom'` when it cannot be read. */
export function schemaVendor(schema: object): string {
  try {
    const vendor: unknown = (schema as { '~standard'?: { vendor?: unknown } })['~standard']?.vendor;
    return typeof vendor === 'string' && vendor !== '' ? vendor : 'custom';
  } catch {
    // A schema behind a proxy revoked since construction: describe it, do not fail the description.
    return 'custom';
  }
}
