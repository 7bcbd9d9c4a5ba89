import { describe, it, expect } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { InMemorySharedState } from './in-memory-shared-state.js';
import { describeSharedStateContract } from '../testing/shared-state-suite.js';

describeSharedStateContract('InMemorySharedState', async ({ clock }) => new InMemorySharedState({ clock }));

describe('InMemorySharedState', () => {
  it('refuses a non-positive TTL', async () => {
    const state = new InMemorySharedState();
    await expect(state.set({ scope: 'global', scopeId: '', key: 'k' }, 1, { ttlMs: 0 })).rejects.toThrow(/ttlMs/);
  });

  it('refuses an unknown scope', async () => {
    const state = new InMemorySharedState();
    await expect(state.set({ scope: 'planet' as never, scopeId: '', key: 'k' }, 1)).rejects.toThrow(/scope/);
  });

  it('sweeps expired entries that nobody reads again', async () => {
    const clock = new ManualClock();
    const state = new InMemorySharedState({ clock });
    await state.set({ scope: 'workflow', scopeId: 'run', key: 'old' }, 1, { ttlMs: 10 });
    clock.advance(10);
    state.sweepExpired();
    expect(await state.keys('workflow', 'run')).toEqual([]);
  });

  it('delivers a change to the other subscribers when one listener throws', async () => {
    const state = new InMemorySharedState();
    const seen: string[] = [];
    const errors: unknown[] = [];
    const original = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void errors.push(error);
    try {
      await state.subscribe({}, () => {
        throw new Error('listener bug');
      });
      await state.subscribe({}, (change) => void seen.push(change.key));
      await state.set({ scope: 'global', scopeId: '', key: 'k' }, 1);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      globalThis.reportError = original;
    }
    expect(seen).toEqual(['k']);
    expect(errors).toHaveLength(1);
  });
});
