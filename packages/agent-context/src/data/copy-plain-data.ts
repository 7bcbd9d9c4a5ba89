import { InvalidInputError, describeValue } from '@tta/primitives';

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
 * const stored = copyPlainData('SharedState.set', 'the value of "plan"', value);
 */
export function copyPlainData<T>(operation: string, what: string, value: T): T {
  try {
    return copy(value, new Set(), []) as T;
  } catch (error) {
    if (error instanceof NotPlainData) {
      const at = error.path.length === 0 ? '' : ` at ${error.path.map((part) => `[${JSON.stringify(part)}]`).join('')}`;
      throw new InvalidInputError(operation, `${what} must be plain JSON data${at}: ${error.problem}`);
    }
    // Nesting deep enough to exhaust the stack would also break JSON.stringify.
    if (error instanceof RangeError) throw new InvalidInputError(operation, `${what} is nested too deeply to be stored`);
    throw error;
  }
}

/** A refusal on the way down; turned into an `InvalidInputError` at the top with its path. */
class NotPlainData extends Error {
  constructor(readonly problem: string, readonly path: readonly (string | number)[]) {
    super(problem);
  }
}

function copy(value: unknown, ancestors: Set<object>, path: (string | number)[]): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotPlainData(`${describeValue(value)} is not a finite number (JSON would give null)`, path);
      return value === 0 ? 0 : value;
    case 'object':
      break;
    default:
      throw new NotPlainData(`${describeValue(value)} cannot be stored (${typeof value})`, path);
  }
  if (value === null) return null;
  if (ancestors.has(value)) throw new NotPlainData('the value contains itself (a cycle)', path);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return copyArray(value, ancestors, path);
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== null && prototype !== Object.prototype) {
      const kind = (value as { constructor?: { name?: unknown } }).constructor?.name;
      throw new NotPlainData(`${typeof kind === 'string' && kind !== '' ? `a ${kind}` : 'an object with a prototype'} is not a plain object (encode it, for example as a string or a record)`, path);
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
    if (!(index in value)) throw new NotPlainData('an array with a hole (JSON would give null)', path);
    const item = value[index];
    if (item === undefined) throw new NotPlainData('undefined in an array (JSON would give null)', path);
    result.push(copy(item, ancestors, path));
    path.pop();
  }
  return result;
}
