import { describe, expect, it } from 'vitest';
import { binarySummary } from './binary-summary.js';

describe('binarySummary', () => {
  it('describes buffers, typed arrays, views and array buffers by their size only', () => {
    expect(binarySummary(Buffer.from('password=hunter2'))).toBe('[Buffer: 16 bytes]');
    expect(binarySummary(new Float64Array(3))).toBe('[Float64Array: 24 bytes]');
    expect(binarySummary(new DataView(new ArrayBuffer(5)))).toBe('[DataView: 5 bytes]');
    expect(binarySummary(new ArrayBuffer(7))).toBe('[ArrayBuffer: 7 bytes]');
  });

  it('leaves other objects alone and survives a hostile constructor name', () => {
    expect(binarySummary({ byteLength: 3 })).toBeUndefined();
    expect(binarySummary([1, 2])).toBeUndefined();
    const odd = new Uint8Array(2);
    Object.defineProperty(odd, 'constructor', { get: () => ({ name: 'has spaces "and quotes"' }) });
    expect(binarySummary(odd)).toBe('[binary data: 2 bytes]');
  });
});
