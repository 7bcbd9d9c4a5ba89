/**
 * Structural equality of data (primitives, arrays, plain objects, Dates, Maps, Sets, RegExps,
 * typed arrays, class instances of the same class): the default agreement test of a consensus.
 * `NaN` equals `NaN`; key order and Map/Set insertion order do not matter; cyclic values compare
 * without overflowing the stack.
 */
export function deepEqual(left: unknown, right: unknown): boolean {
  return equal(left, right, new Map());
}

// Pairs under comparison: meeting a pair again (a cycle) counts as equal so far, and the rest of
// the walk decides.
type Visiting = Map<object, Set<object>>;

function equal(left: unknown, right: unknown, visiting: Visiting): boolean {
  if (Object.is(left, right)) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  // Built-ins keep their data in internal slots, not own keys: without this, any two Maps (or
  // Sets, RegExps, typed arrays) have no keys to differ in and would count as equal.
  if (Object.getPrototypeOf(left) !== Object.getPrototypeOf(right) && !(isPlainObject(left) && isPlainObject(right))) return false;
  const seen = visiting.get(left);
  if (seen?.has(right) === true) return true;
  if (seen === undefined) visiting.set(left, new Set([right]));
  else seen.add(right);
  return equalObjects(left, right, visiting);
}

/** A plain record: `{}` or `Object.create(null)`, which hold the same data. */
function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}

function equalObjects(left: object, right: object, visiting: Visiting): boolean {
  if (left instanceof Date) return left.getTime() === (right as Date).getTime();
  if (left instanceof RegExp) return left.source === (right as RegExp).source && left.flags === (right as RegExp).flags;
  if (left instanceof Map) return equalMaps(left, right as Map<unknown, unknown>, visiting);
  if (left instanceof Set) return equalSets(left, right as Set<unknown>, visiting);
  if (ArrayBuffer.isView(left)) return equalBytes(left, right as ArrayBufferView);
  if (left instanceof ArrayBuffer) return equalBytes(new Uint8Array(left), new Uint8Array(right as ArrayBuffer));
  if (left instanceof Error && (left.name !== (right as Error).name || left.message !== (right as Error).message)) return false;
  if (Array.isArray(left)) {
    const other = right as unknown[];
    return left.length === other.length && left.every((item, index) => equal(item, other[index], visiting));
  }
  const leftKeys = Object.keys(left);
  const rightRecord = right as Record<string, unknown>;
  if (leftKeys.length !== Object.keys(rightRecord).length) return false;
  return leftKeys.every((key) => Object.hasOwn(rightRecord, key) && equal((left as Record<string, unknown>)[key], rightRecord[key], visiting));
}

function equalMaps(left: Map<unknown, unknown>, right: Map<unknown, unknown>, visiting: Visiting): boolean {
  if (left.size !== right.size) return false;
  const unmatched: [unknown, unknown][] = [];
  for (const [key, value] of left) {
    if (right.has(key)) {
      if (!equal(value, right.get(key), visiting)) return false;
    } else {
      unmatched.push([key, value]);
    }
  }
  // Object keys found by identity are done; the rest must pair up with structurally equal keys.
  const candidates = [...right].filter(([key]) => !left.has(key));
  return unmatched.every(([key, value]) => takeMatch(candidates, ([otherKey, otherValue]) => equal(key, otherKey, visiting) && equal(value, otherValue, visiting)));
}

function equalSets(left: Set<unknown>, right: Set<unknown>, visiting: Visiting): boolean {
  if (left.size !== right.size) return false;
  const unmatched = [...left].filter((item) => !right.has(item));
  const candidates = [...right].filter((item) => !left.has(item));
  return unmatched.every((item) => takeMatch(candidates, (other) => equal(item, other, visiting)));
}

/** Removes and reports the first candidate that `matches`, so one candidate pairs with one item. */
function takeMatch<T>(candidates: T[], matches: (candidate: T) => boolean): boolean {
  const index = candidates.findIndex(matches);
  if (index === -1) return false;
  candidates.splice(index, 1);
  return true;
}

function equalBytes(left: ArrayBufferView, right: ArrayBufferView): boolean {
  if (left.byteLength !== right.byteLength) return false;
  const leftBytes = new Uint8Array(left.buffer, left.byteOffset, left.byteLength);
  const rightBytes = new Uint8Array(right.buffer, right.byteOffset, right.byteLength);
  return leftBytes.every((byte, index) => byte === rightBytes[index]);
}

/** A stable text form of plain data (sorted keys), the default ballot of a vote. */
export function stableStringify(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
  }) ?? String(value);
}
