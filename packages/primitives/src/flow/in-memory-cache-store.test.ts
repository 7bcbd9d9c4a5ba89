import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { InMemoryCacheStore } from './in-memory-cache-store.js';
import type { CacheEntry } from './cache-store.js';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

const entry = (value: string): CacheEntry<string> => ({ value, storedAt: 0, expiresAt: 10, staleUntil: 20 });

describe('InMemoryCacheStore', () => {
  it('stores, reads, deletes and clears entries', async () => {
    const store = new InMemoryCacheStore<string>();
    await store.set('a', entry('A'));
    expect(await store.get('a')).toEqual(entry('A'));
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    await store.set('b', entry('B'));
    await store.clear();
    expect(store.size).toBe(0);
  });

  it('evicts the least recently used entry (a read counts as a use) and reports it', async () => {
    const onEvict = vi.fn();
    const store = new InMemoryCacheStore<string>({ maxEntries: 2, onEvict });
    await store.set('a', entry('A'));
    await store.set('b', entry('B'));
    await store.get('a');
    await store.set('c', entry('C'));
    expect([...store.keys()]).toEqual(['a', 'c']);
    expect(onEvict).toHaveBeenCalledWith('b', entry('B'));
    await store.set('a', entry('A2'));
    expect(onEvict).toHaveBeenCalledTimes(1);
    expect([...store.keys()]).toEqual(['c', 'a']);
  });

  it('keeps working when the eviction callback throws', async () => {
    const store = new InMemoryCacheStore<string>({
      maxEntries: 1,
      onEvict: () => {
        throw new Error('listener bug');
      },
    });
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await store.set('a', entry('A'));
      await store.set('b', entry('B'));
      expect(store.size).toBe(1);
      expect([...store.keys()]).toEqual(['b']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(consoleError).toHaveBeenCalledWith(expect.any(String), new Error('listener bug'));
    } finally {
      consoleError.mockRestore();
    }
  });

  it('validates its options', () => {
    expect(() => new InMemoryCacheStore({ maxEntries: 0 })).toThrow(InvalidOptionsError);
    expect(() => new InMemoryCacheStore({ onEvict: 5 as never })).toThrow(/onEvict/);
  });
});
