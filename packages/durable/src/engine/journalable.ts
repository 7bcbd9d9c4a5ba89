import { NonSerializableOutputError } from '../errors/non-serializable-output-error.js';
import { StepOutputTooLargeError } from '../errors/step-output-too-large-error.js';

/** The deepest value the journal checks; deeper nesting is refused rather than walked. */
const maxDepth = 200;

/**
 * The JSON text of `value` as the journal will keep it, after checking that parsing it gives back
 * what the step returned. Refused with {@link NonSerializableOutputError} naming `path` and the
 * place in the value: `Date` (comes back a string), `BigInt`, `Map`, `Set`, class instances,
 * functions, symbols, `NaN`/`Infinity` (come back `null`), sparse arrays or `undefined` in an array
 * (come back `null`), objects or arrays with `toJSON`, array subclasses and arrays with named
 * properties, symbol keys, getters and setters, non-enumerable properties, cycles. Allowed: `undefined` as the whole output (a
 * void step), `undefined` object properties (dropped, as JSON drops them), `-0` (comes back `0`,
 * which `===` equals). Larger than `maxBytes` of UTF-8: {@link StepOutputTooLargeError}.
 */
export function journalText(path: string, value: unknown, maxBytes: number): string | undefined {
  if (value === undefined) return undefined;
  check(path, value, '', 0, new Set());
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new StepOutputTooLargeError(path, bytes, maxBytes);
  return text;
}

function check(path: string, value: unknown, where: string, depth: number, open: Set<object>): void {
  const refuse = (problem: string): never => {
    throw new NonSerializableOutputError(path, `${where === '' ? 'the output' : where} ${problem}`);
  };
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) refuse(`is ${String(value)}, which JSON turns into null`);
      return;
    case 'bigint':
      return refuse('is a BigInt, which JSON cannot hold (journal it as a string)');
    case 'symbol':
    case 'function':
      return refuse(`is a ${typeof value}, which JSON cannot hold`);
    case 'undefined':
      return refuse('is undefined inside an array, which JSON turns into null');
    default:
  }
  if (value === null) return;
  const object = value as object;
  if (depth >= maxDepth) refuse(`is nested deeper than ${maxDepth} levels`);
  if (open.has(object)) refuse('refers back to itself (a cycle)');
  if (Array.isArray(object)) {
    if (Object.getPrototypeOf(object) !== Array.prototype) refuse(`is an instance of ${describeClass(object)} (it would come back a plain array)`);
    open.add(object);
    for (let index = 0; index < object.length; index++) {
      if (!(index in object)) refuse(`has a hole at index ${index} (a sparse array), which JSON turns into null`);
      check(path, object[index], `${where}[${index}]`, depth + 1, open);
    }
    // Own keys beyond the indices and `length` (a `toJSON`, a named property) JSON would drop or obey.
    if (Reflect.ownKeys(object).length !== object.length + 1) {
      const extra = Reflect.ownKeys(object).find((key) => key !== 'length' && !(typeof key === 'string' && String(Number(key)) === key));
      refuse(`has the property ${String(extra)}, which JSON ${extra === 'toJSON' ? 'would call to store something else' : 'drops from an array'}`);
    }
    open.delete(object);
    return;
  }
  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype !== Object.prototype && prototype !== null) {
    const kind = object instanceof Date ? 'a Date (it would come back a string: journal date.toISOString())' : object instanceof Map ? 'a Map (journal Object.fromEntries(map) or [...map])' : object instanceof Set ? 'a Set (journal [...set])' : `an instance of ${describeClass(object)} (it would come back a plain object)`;
    refuse(`is ${kind}`);
  }
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') refuse('has a toJSON method, so JSON would store something else');
  open.add(object);
  // Every own key, so that what JSON would silently drop or read again differently is refused.
  for (const key of Reflect.ownKeys(object)) {
    if (typeof key === 'symbol') refuse(`has the symbol key ${String(key)}, which JSON drops`);
    const at = where === '' ? (key as string) : `${where}.${key as string}`;
    const descriptor = Object.getOwnPropertyDescriptor(object, key)!;
    if (descriptor.get !== undefined || descriptor.set !== undefined) {
      throw new NonSerializableOutputError(path, `${at} is a getter or setter (a replay would return one value read once): return plain data`);
    }
    if (descriptor.enumerable !== true) throw new NonSerializableOutputError(path, `${at} is not enumerable, so JSON would drop it`);
    const property: unknown = descriptor.value;
    // JSON drops an undefined property; reading the value back gives undefined for it all the same.
    if (property === undefined) continue;
    check(path, property, at, depth + 1, open);
  }
  open.delete(object);
}

function describeClass(object: object): string {
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'a class';
}
