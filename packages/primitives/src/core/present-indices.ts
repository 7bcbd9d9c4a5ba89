/**
 * @internal The indices above `after` at which `array` holds an element, ascending, found in time
 * proportional to the elements present rather than to `length`: an array made with
 * `array.length = 2 ** 32 - 1` holds nothing, and walking its holes one by one would take minutes
 * (or exhaust memory when each hole is copied). Call it at the first hole of a walk.
 */
export function presentIndicesAfter(array: readonly unknown[], after: number): number[] {
  const length = array.length;
  const indices: number[] = [];
  // Object.keys lists integer keys first, in ascending order; other own keys (`'foo'`, `'01'`) are not indices.
  for (const key of Object.keys(array)) {
    const index = Number(key);
    if (index > after && index < length && String(index) === key) indices.push(index);
  }
  // A proxy's ownKeys trap may list keys in any order.
  for (let position = 1; position < indices.length; position++) {
    if (indices[position]! < indices[position - 1]!) return indices.sort((left, right) => left - right);
  }
  return indices;
}
