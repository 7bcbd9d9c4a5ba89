import { presentIndicesAfter } from '../core/present-indices.js';
import { binarySummary } from './binary-summary.js';

// Turning arbitrary log fields into plain JSON values without ever throwing: a log call must not
// fail the step that makes it, whatever a caller puts in its fields.

/** Written in place of a value that could not be read (a throwing getter, a revoked proxy). */
export const UNREADABLE = '[Unreadable]';
/** Written in place of a reference back to an enclosing object. */
export const CIRCULAR = '[Circular]';

const maxDepth = 16;

/**
 * Copies the own enumerable fields of `fields` into a new object. A field whose getter throws
 * becomes `'[Unreadable]'` and the others are kept; fields that cannot be listed at all (a revoked
 * proxy) give `{ fields: '[Unreadable]' }`.
 */
export function readFields(fields: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  if (typeof fields !== 'object' || fields === null) return copy;
  let keys: string[];
  try {
    keys = Object.keys(fields);
  } catch {
    copy.fields = UNREADABLE;
    return copy;
  }
  for (const key of keys) copy[key] = readProperty(fields, key);
  return copy;
}

/**
 * A JSON-safe copy of `value`: cycles become `'[Circular]'`, unreadable parts `'[Unreadable]'`,
 * errors `{ name, message }`, bigints strings; nesting deeper than 16 levels `'[Truncated]'`; an
 * array longer than 1000 with holes `{ length, <index>: value... }` (its entries, not its holes);
 * binary data (a `Buffer`, a typed array) a description such as `'[Buffer: 1048576 bytes]'`.
 * `JSON.stringify` of the result cannot throw.
 */
export function toLoggable(value: unknown): unknown {
  return copy(value, 0, []);
}

function copy(value: unknown, depth: number, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.includes(object)) return CIRCULAR;
  if (depth >= maxDepth) return '[Truncated]';
  try {
    if (object instanceof Error) return { name: String(object.name), message: String(object.message) };
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    const binary = binarySummary(object);
    if (binary !== undefined) return binary;
    ancestors.push(object);
    try {
      if (Array.isArray(object)) return copyArray(object, depth, ancestors);
      const toJSON = (object as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return copy(toJSON.call(object), depth + 1, ancestors);
      const result: Record<string, unknown> = {};
      for (const key of Object.keys(object)) {
        const item = copy(readProperty(object, key), depth + 1, ancestors);
        if (item !== undefined) result[key] = item;
      }
      return result;
    } finally {
      ancestors.pop();
    }
  } catch {
    // A revoked proxy, a throwing trap or a throwing toJSON: the value is lost, not the line.
    return UNREADABLE;
  }
}

// Holes are written as `null` (as JSON does) up to this length; a longer array with holes is written
// by its entries, so `[]` with `length = 2 ** 32 - 1` is a short line, not four billion nulls.
const maxLengthWithNullHoles = 1000;

function copyArray(array: readonly unknown[], depth: number, ancestors: object[]): unknown {
  const result: unknown[] = [];
  const length = array.length;
  for (let index = 0; index < length; index++) {
    const item: unknown = array[index];
    if (item === undefined && !(index in array)) {
      if (length <= maxLengthWithNullHoles) {
        result.push(null);
        continue;
      }
      const sparse: Record<string, unknown> = { length };
      result.forEach((entry, position) => (sparse[position] = entry));
      for (const present of presentIndicesAfter(array, index)) sparse[present] = copy(array[present], depth + 1, ancestors) ?? null;
      return sparse;
    }
    result.push(copy(item, depth + 1, ancestors) ?? null);
  }
  return result;
}

function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}
