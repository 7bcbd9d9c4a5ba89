import { describe, expect, it } from 'vitest';
import {
  CircuitBreakerPrimitive,
  InMemoryCacheStore,
  InMemoryCircuitStateStore,
  InvalidOptionsError,
  cache,
  step,
  type CacheStore,
  type CircuitStateStore,
} from '@tta/primitives';

const inner = step('lookup', (query: string) => query.length);
const cacheStore = (specificationVersion: unknown): CacheStore<number> =>
  ({ specificationVersion, get: () => Promise.resolve(undefined), set: () => Promise.resolve(), delete: () => Promise.resolve(false) }) as never;
const circuitStore = (specificationVersion: unknown): CircuitStateStore =>
  ({ specificationVersion, load: () => Promise.resolve(undefined), save: () => Promise.resolve() }) as never;

describe('stores declare the interface version they implement', () => {
  it('lets the cache and the breaker take the built-in stores and a store declaring version 1', () => {
    expect(new InMemoryCacheStore().specificationVersion).toBe(1);
    expect(new InMemoryCircuitStateStore().specificationVersion).toBe(1);
    expect(() => cache(inner, { store: cacheStore(1) })).not.toThrow();
    expect(() => new CircuitBreakerPrimitive(inner, { failureThreshold: 3, store: circuitStore(1) })).not.toThrow();
  });

  it.each([undefined, 2, '1'])('refuses a CacheStore declaring specificationVersion %o, naming version 1', (version) => {
    const attempt = () => cache(inner, { store: cacheStore(version) });
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(/CachePrimitive: option "store.specificationVersion" must be 1, the store interface version this release supports/);
  });

  it.each([undefined, 2, '1'])('refuses a CircuitStateStore declaring specificationVersion %o, naming version 1', (version) => {
    const attempt = () => new CircuitBreakerPrimitive(inner, { failureThreshold: 3, store: circuitStore(version) });
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(/CircuitBreakerPrimitive: option "store.specificationVersion" must be 1, the store interface version this release supports/);
  });
});
