import { TtaError } from '../errors/tta-error.js';
import { UnkeyableInputError } from '../errors/unkeyable-input-error.js';
import { presentIndicesAfter } from '../core/present-indices.js';

/** How deep `stableKey` walks into nested values before it refuses the input (recursion stays far from the engine's stack limit). */
export const STABLE_KEY_MAX_DEPTH = 1000;

/**
 * The default cache key of an input: the string itself when the input is a string (no allocation
 * on the hot path), otherwise an encoding of the value's content, with object keys sorted so that
 * `{ a, b }` and `{ b, a }` share an entry. Non-string keys start with `"\u0000"` (and so do strings
 * that start with it, with another prefix), so a string input never collides with another type.
 *
 * Two inputs get one key only when they hold the same content: types are kept apart (`'1'`, `1`,
 * `1n`, `new Number(1)`; a `Date` and its ISO string; `Uint8Array` and `Float64Array` of the same
 * numbers), as are `-0` and `0`, `NaN` and `null`, a sparse hole and `undefined`, a missing field and
 * one set to `undefined`. `Map` and `Set` are keyed by their entries in any order. Values with an
 * inspectable content are keyed by it: `URLSearchParams` by its string, buffers and views by their
 * bytes, `RegExp` by source and flags, errors by name, message, cause and fields, boxed primitives by
 * their value, registered symbols by their name, other class instances by their `toJSON()`.
 * Functions in object fields are skipped, as in JSON.
 *
 * Anything else could share a key with a different input, so it is refused with
 * {@link UnkeyableInputError} (give the cache a `key` function): class instances without `toJSON`
 * (their state may be in private fields), unique symbols, functions elsewhere, cycles (including a
 * `toJSON` that returns its own object), nesting deeper than {@link STABLE_KEY_MAX_DEPTH}, and values
 * that throw when read (a throwing getter, a revoked proxy).
 */
export function stableKey(input: unknown): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0 ? `\u0000s:${input}` : input;
  try {
    return `\u0000j:${encode(input, [])}`;
  } catch (error) {
    throw toUnkeyable(error, 'stableKey');
  }
}

/** A refusal on its way up: each container on the way adds its segment to the path. */
class Refusal {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

function toUnkeyable(error: unknown, owner: string): UnkeyableInputError {
  if (error instanceof Refusal) return new UnkeyableInputError(owner, `input${error.segments.reverse().join('')}`, error.reason);
  // A throwing getter, a revoked proxy, a user toJSON that throws: the input has no key, and the
  // caller gets a typed error instead of whatever escaped from inside the walk.
  if (TtaError.isInstance(error)) return new UnkeyableInputError(owner, 'input', `reading it failed with ${error.name}`, { cause: error });
  const name = error instanceof Error ? error.name : 'a thrown value';
  return new UnkeyableInputError(owner, 'input', `reading it failed (${name})`, { cause: error });
}

function encode(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (Number.isFinite(value)) return value === 0 && 1 / value < 0 ? '-0' : String(value);
      return `#${String(value)}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `${value.toString()}n`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return encodeSymbol(value);
    case 'function':
      throw new Refusal('a function has no content to key by');
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as Record<string, unknown>;
  if (ancestors.length >= STABLE_KEY_MAX_DEPTH) throw new Refusal(`it is nested deeper than ${STABLE_KEY_MAX_DEPTH} levels`);
  if (ancestors.includes(object)) throw new Refusal('the input has a cycle');
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) text = encodeArray(object, ancestors);
  else {
    const prototype = Object.getPrototypeOf(object) as object | null;
    if (prototype === Object.prototype || prototype === null || isForeignObjectPrototype(prototype)) {
      text = typeof object.toJSON === 'function' ? `J(${encodeChild((object.toJSON as () => unknown)(), ancestors, '.toJSON()')})` : encodeFields(object, ancestors);
    } else text = encodeInstance(object, ancestors);
  }
  ancestors.pop();
  return text;
}

function encodeChild(value: unknown, ancestors: object[], segment: string): string {
  try {
    return encode(value, ancestors);
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(segment);
    throw error;
  }
}

function encodeArray(array: readonly unknown[], ancestors: object[]): string {
  let text = '[';
  let index = 0;
  // One try around the loop, not one per entry: the path is only built when something is refused.
  try {
    for (; index < array.length; index++) {
      const entry = array[index];
      // A hole has its own mark, so `[, 1]` and `[undefined, 1]` differ, and so do `[]` and `[,]`.
      if (entry === undefined && !(index in array)) return `${text}${encodeSparseTail(array, index, ancestors, (at) => (index = at))}]`;
      text += (index === 0 ? '' : ',') + encode(entry, ancestors);
    }
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(`[${index}]`);
    throw error;
  }
  return `${text}]`;
}

// Runs of up to this many holes are written one `~` each; a longer run is one `~<count>` entry.
const maxHolesWrittenOneByOne = 8;

/**
 * The entries of `array` from its first hole `start` on, in time proportional to the elements it
 * holds (not its length: `[]` with `length = 2 ** 32 - 1` is one entry, not four billion).
 * `track` is told the index being encoded, for the path of a refusal.
 */
function encodeSparseTail(array: readonly unknown[], start: number, ancestors: object[], track: (index: number) => void): string {
  let text = '';
  let next = start;
  const holes = (until: number): void => {
    const count = until - next;
    if (count <= 0) return;
    const marks = count <= maxHolesWrittenOneByOne ? Array.from({ length: count }, () => '~').join(',') : `~${count}`;
    text += (next === 0 ? '' : ',') + marks;
  };
  for (const index of presentIndicesAfter(array, start)) {
    holes(index);
    track(index);
    text += ',' + encode(array[index], ancestors);
    next = index + 1;
  }
  holes(array.length);
  return text;
}

function encodeFields(object: Record<string, unknown>, ancestors: object[]): string {
  const keys = sortKeys(Object.keys(object));
  let text = '{';
  let first = true;
  let key = '';
  try {
    for (key of keys) {
      const entry = object[key];
      if (typeof entry === 'function') continue;
      text += (first ? '' : ',') + quote(key) + ':' + encode(entry, ancestors);
      first = false;
    }
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(`.${key}`);
    throw error;
  }
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.length !== 0) text += encodeSymbolFields(object, symbols, ancestors, first);
  return `${text}}`;
}

function encodeSymbolFields(object: Record<string, unknown>, symbols: symbol[], ancestors: object[], first: boolean): string {
  const entries: string[] = [];
  for (const symbol of symbols) {
    if (!Object.prototype.propertyIsEnumerable.call(object, symbol)) continue;
    const entry = (object as Record<symbol, unknown>)[symbol];
    if (typeof entry === 'function') continue;
    const segment = `[${String(symbol)}]`;
    let name: string;
    try {
      name = encodeSymbol(symbol);
    } catch (error) {
      if (error instanceof Refusal) error.segments.push(segment);
      throw error;
    }
    entries.push(`[${name}]:${encodeChild(entry, ancestors, segment)}`);
  }
  if (entries.length === 0) return '';
  return (first ? '' : ',') + entries.sort().join(',');
}

function encodeSymbol(symbol: symbol): string {
  const name = Symbol.keyFor(symbol);
  // Two unique symbols may share a description; only registered ones are named by content.
  if (name === undefined) throw new Refusal('a unique symbol has no content to key by (only Symbol.for symbols have)');
  return `Symbol.for(${JSON.stringify(name)})`;
}

/** A plain object made in another realm (a vm context, an iframe): its prototype is that realm's Object.prototype. */
function isForeignObjectPrototype(prototype: object): boolean {
  return Object.getPrototypeOf(prototype) === null && Object.prototype.hasOwnProperty.call(prototype, 'isPrototypeOf');
}

function encodeInstance(object: object, ancestors: object[]): string {
  if (object instanceof Date) return `Date(${String(object.getTime())})`;
  if (object instanceof Map) {
    const entries: string[] = [];
    for (const [key, entry] of object) entries.push(`${encodeChild(key, ancestors, '<map key>')}:${encodeChild(entry, ancestors, `.get(${describeKey(key)})`)}`);
    return `Map{${entries.sort().join(',')}}`;
  }
  if (object instanceof Set) {
    const entries: string[] = [];
    for (const entry of object) entries.push(encodeChild(entry, ancestors, '<set entry>'));
    return `Set[${entries.sort().join(',')}]`;
  }
  if (ArrayBuffer.isView(object)) return `${tagOf(object)}<${hex(new Uint8Array(object.buffer, object.byteOffset, object.byteLength))}>`;
  if (object instanceof ArrayBuffer) return `ArrayBuffer<${hex(new Uint8Array(object))}>`;
  if (typeof SharedArrayBuffer === 'function' && object instanceof SharedArrayBuffer) return `SharedArrayBuffer<${hex(new Uint8Array(object))}>`;
  if (object instanceof RegExp) return `RegExp(${JSON.stringify(object.source)},${JSON.stringify(object.flags)})`;
  if (typeof URLSearchParams === 'function' && object instanceof URLSearchParams) return `URLSearchParams(${JSON.stringify(object.toString())})`;
  if (object instanceof Error) return encodeError(object, ancestors);
  if (object instanceof Number) return `Number(${encode(object.valueOf(), ancestors)})`;
  if (object instanceof String) return `String(${JSON.stringify(object.valueOf())})`;
  if (object instanceof Boolean) return `Boolean(${String(object.valueOf())})`;
  if (object instanceof BigInt) return `BigInt(${(object.valueOf() as bigint).toString()}n)`;
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  // A class that says how it serialises (URL, Decimal, Temporal...) is keyed by that, tagged with the class.
  if (typeof toJSON === 'function') return `J${JSON.stringify(tagOf(object))}(${encodeChild(toJSON.call(object), ancestors, '.toJSON()')})`;
  throw new Refusal(`a ${tagOf(object)} instance may keep its state in private fields, which a key cannot see (define toJSON() on the class to make it keyable)`);
}

function encodeError(error: Error, ancestors: object[]): string {
  // The stack is left out: the same failure thrown from two places is the same input.
  let text = `Error(${JSON.stringify(String(error.name))},${JSON.stringify(String(error.message))}`;
  if ('cause' in error) text += `,cause:${encodeChild(error.cause, ancestors, '.cause')}`;
  if (error instanceof AggregateError) text += `,errors:${encodeChild(error.errors, ancestors, '.errors')}`;
  return `${text},${encodeFields(error as unknown as Record<string, unknown>, ancestors)})`;
}

function tagOf(object: object): string {
  const tag = (object as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  if (typeof tag === 'string') return tag;
  const name = (object.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'anonymous class';
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'number' || typeof key === 'boolean' ? String(key) : '…';
}

const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += hexDigits[byte]!;
  return text;
}

// Characters JSON.stringify escapes (and surrogates, which it may): strings without them are quoted
// as they are, with the same result, in a fraction of the time.
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const needsEscape = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** `JSON.stringify(text)`, faster for the common strings. */
function quote(text: string): string {
  return needsEscape.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** Sorts keys by UTF-16 code units, as `Array.prototype.sort` does; an insertion sort is faster for the usual few keys. */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let position = index - 1;
    while (position >= 0 && keys[position]! > key) {
      keys[position + 1] = keys[position]!;
      position--;
    }
    keys[position + 1] = key;
  }
  return keys;
}

