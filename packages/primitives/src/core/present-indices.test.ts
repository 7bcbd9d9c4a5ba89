import { describe, expect, it } from 'vitest';
import { presentIndicesAfter } from './present-indices.js';

describe('presentIndicesAfter', () => {
  it('lists the indices holding an element after the given one, ascending, without other keys', () => {
    // eslint-disable-next-line no-sparse-arrays -- the holes are the point
    const array: unknown[] = [0, , 2, , undefined];
    Object.assign(array, { foo: 1 });
    expect(presentIndicesAfter(array, 1)).toEqual([2, 4]);
    expect(presentIndicesAfter([], 0)).toEqual([]);
  });

  it('answers at once for an empty array of the largest length', () => {
    const huge: unknown[] = [];
    huge.length = 2 ** 32 - 1;
    huge[4_000_000_000] = 'last';
    const started = performance.now();
    expect(presentIndicesAfter(huge, 0)).toEqual([4_000_000_000]);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('sorts the indices a proxy lists out of order', () => {
    // eslint-disable-next-line no-sparse-arrays -- the holes are the point
    const proxy = new Proxy([1, , 3, , 5], { ownKeys: () => ['4', '2', 'length'] });
    expect(presentIndicesAfter(proxy, 1)).toEqual([2, 4]);
  });
});
