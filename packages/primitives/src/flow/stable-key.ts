import { InvalidInputError } from '../errors/invalid-input-error.js';
/**
 * The default cache key of an input: the string itself when the input is a string (no allocation
 * on the hot path), otherwise a JSON encoding with object keys sorted, so `{ a, b }` and `{ b, a }`
 * share an entry. Non-string keys start with `"\u0000"` (and so do strings that start with it, with
 * another prefix), so a string input never collides with another type: `'1'` and `1` differ.
 *
 * Throws a `TypeError` on a cycle. Functions and symbols are skipped in objects as in JSON;
 * `undefined` is encoded (so `undefined` and `null` differ), bigints as `123n`, dates by `toJSON`.
 */
export function stableKey(input: unknown): string {
  if (typeof input === 'string') return input.charCodeAt(0) === 0 ? `\u0000s:${input}` : input;
  return `\u0000j:${encode(input, [])}`;
}

function encode(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : `#${String(value)}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `${value.toString()}n`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
    case 'function':
      return 'undefined';
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return encode(object.toJSON(), ancestors);
  if (ancestors.includes(object)) throw new InvalidInputError('cache', 'the input has a cycle; give the cache a `key` function');
  ancestors.push(object);
  let text: string;
  if (Array.isArray(object)) {
    text = '[';
    for (let index = 0; index < object.length; index++) text += (index === 0 ? '' : ',') + encode(object[index], ancestors);
    text += ']';
  } else if (object instanceof Map) {
    const entries = [...object.entries()].map(([key, entry]) => `${encode(key, ancestors)}:${encode(entry, ancestors)}`).sort();
    text = `Map{${entries.join(',')}}`;
  } else if (object instanceof Set) {
    text = `Set[${[...object].map((entry) => encode(entry, ancestors)).sort().join(',')}]`;
  } else {
    const keys = Object.keys(object).sort();
    text = '{';
    let first = true;
    for (const key of keys) {
      const entry = object[key];
      if (typeof entry === 'function' || typeof entry === 'symbol') continue;
      text += (first ? '' : ',') + JSON.stringify(key) + ':' + encode(entry, ancestors);
      first = false;
    }
    text += '}';
  }
  ancestors.pop();
  return text;
}
