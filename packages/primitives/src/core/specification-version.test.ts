import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { assertSpecificationVersion, supportedSpecificationVersion } from './specification-version.js';

describe('assertSpecificationVersion', () => {
  it('accepts a store that declares the supported version', () => {
    expect(supportedSpecificationVersion).toBe(1);
    expect(() => assertSpecificationVersion('CachePrimitive', 'store', { specificationVersion: 1 })).not.toThrow();
  });

  it.each([
    [{}, 'the store declares none'],
    [{ specificationVersion: 2 }, 'got 2'],
    [{ specificationVersion: '1' }, 'got "1"'],
  ])('rejects %o with an InvalidOptionsError naming the supported version', (store, found) => {
    const attempt = () => assertSpecificationVersion('CachePrimitive', 'store', store);
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(
      `CachePrimitive: option "store.specificationVersion" must be 1, the store interface version this release supports (${found})`,
    );
  });

  it('reports a store whose version cannot be read instead of crashing', () => {
    const store = Object.defineProperty({}, 'specificationVersion', { get: () => { throw new Error('gone'); } });
    expect(() => assertSpecificationVersion('CachePrimitive', 'store', store)).toThrow(InvalidOptionsError);
  });
});
