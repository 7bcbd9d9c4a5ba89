import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';

/**
 * A copy of `value` as a JSON round trip would give it back, or `InvalidInputError`
 * (`retryable: false`) naming `operation` and `what` when the round trip would change it.
 *
 * Stores keep values as plain data so that the in-memory and the network stores accept the same
 * values and hand back the same ones: `null`, booleans, strings (lone surrogates included: JSON
 * escapes them), finite numbers, dense arrays of plain data and plain objects (`{}` or
 * `Object.create(null)`) of plain data. An object property whose value is `undefined` is left out,
 * as JSON leaves it out, and `-0` becomes `0`. Anything else is refused, because JSON would turn it
 * into something else without a word: `Date` (a string), `NaN` and `Infinity` (`null`), `Map`,
 * `Set`, `RegExp`, typed arrays and class instances (`{}` or their fields without their class),
 * `undefined` in an array (`null`), holes, BigInt (a `TypeError`), functions and symbols (dropped),
 * and cycles.
 *
 * @example
 * <!-- snippet-prelude: declare const value: { readonly steps: string[] }; -->
 * ```ts
 * const stored = copyPlainData('SharedState.set', 'the value of "plan"', value);
 * ```
 */
export function copyPlainData<T>(operation: string, what: string, value: T): T {
  try {
    return copy(value, new Set(), []) as T;
  } catch (error) {
    if (error instanceof NotPlainData) {
      const at = error.path.length === 0 ? '' : ` at ${error.path.map((part) => `[${JSON.stringify(part)}]`).join('')}`;
      const reason = error.reason === undefined ? '' : `: ${error.reason}`;
      throw new InvalidInputError(operation, `${what} cannot be stored as JSON (got ${describeValue(error.value)}${at})${reason}`);
    }
    // Nesting deep enough to exhaust the stack would also break JSON.stringify.
    if (error instanceof RangeError) throw new InvalidInputError(operation, `${what} is nested too deeply to be stored`);
    throw error;
  }
}

/** A refusal on the way down; turned into an `InvalidInputError` at the top with its path. */
class NotPlainData extends Error {
  readonly path: readonly (string | number)[];
  constructor(readonly value: unknown, path: readonly (string | number)[], readonly reason?: string) {
    super(reason ?? 'not plain data');
    // The walk pops the shared path on the way back up: keep the path as it was here.
    this.path = [...path];
  }
}

function copy(value: unknown, ancestors: Set<object>, path: (string | number)[]): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotPlainData(value, path, 'JSON would give null');
      return value === 0 ? 0 : value;
    case 'object':
      break;
    case 'bigint':
      throw new NotPlainData(value, path, 'a BigInt; encode it, for example as a string');
    default:
      throw new NotPlainData(value, path);
  }
  if (value === null) return null;
  if (ancestors.has(value)) throw new NotPlainData(value, path, 'it contains itself (a cycle)');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return copyArray(value, ancestors, path);
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== null && prototype !== Object.prototype) {
      throw new NotPlainData(value, path, 'not a plain object; encode it, for example as a string or a record');
    }
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined) continue;
      path.push(key);
      const copied = copy(item, ancestors, path);
      path.pop();
      // `__proto__` as an own key (JSON.parse makes those) must stay data, not become the prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value: copied, enumerable: true, writable: true, configurable: true });
      else result[key] = copied;
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}

function copyArray(value: readonly unknown[], ancestors: Set<object>, path: (string | number)[]): unknown[] {
  const result: unknown[] = [];
  for (let index = 0; index < value.length; index++) {
    path.push(index);
    if (!(index in value)) throw new NotPlainData(undefined, path, 'a hole in an array; JSON would give null');
    const item = value[index];
    if (item === undefined) throw new NotPlainData(item, path, 'JSON would give null in an array');
    result.push(copy(item, ancestors, path));
    path.pop();
  }
  return result;
}
