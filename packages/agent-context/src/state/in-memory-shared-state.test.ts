import { describe, it, expect } from 'vitest';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { InMemorySharedState } from './in-memory-shared-state.js';
import { describeSharedStateContract } from '../testing/shared-state-suite.js';

describeSharedStateContract('InMemorySharedState', async ({ clock }) => new InMemorySharedState({ clock }));

describe('InMemorySharedState', () => {
  it('refuses a non-positive TTL with InvalidOptionsError', async () => {
    const state = new InMemorySharedState();
    await expect(state.set({ scope: 'global', scopeId: '', key: 'k' }, 1, { ttlMs: 0 })).rejects.toThrow(InvalidOptionsError);
    await expect(state.set({ scope: 'global', scopeId: '', key: 'k' }, 1, { ttlMs: Object.create(null) as number })).rejects.toThrow(
      'InMemorySharedState: option "ttlMs" must be a positive number (got an object)',
    );
    expect(() => new InMemorySharedState(null as never)).toThrow('InMemorySharedState: option "options" must be an object when given (got null)');
    expect(() => new InMemorySharedState({ clock: 5 as never })).toThrow('InMemorySharedState: option "clock" must be a Clock (got 5)');
  });

  it('refuses an unknown scope, a bad key or a missing address with InvalidInputError', async () => {
    const state = new InMemorySharedState();
    await expect(state.set({ scope: 'planet' as never, scopeId: '', key: 'k' }, 1)).rejects.toThrow(InvalidInputError);
    await expect(state.set({ scope: Object.create(null) as never, scopeId: '', key: 'k' }, 1)).rejects.toThrow(
      "SharedState: scope must be 'workflow', 'session' or 'global' (got an object)",
    );
    await expect(state.compareAndSet({ scope: 'global', scopeId: '', key: '' }, 0, 1)).rejects.toThrow('SharedState: key must be a non-empty string (got "")');
    await expect(state.get(null as never)).rejects.toThrow('SharedState: address must be an object { scope, scopeId, key } (got null)');
    await expect(state.delete({ scope: 'global', scopeId: 1 as never, key: 'k' })).rejects.toThrow(InvalidInputError);
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
