import { describe, it, expect, vi } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import type { SharedState, StateAddress, StateChange, StateEntry } from '../state/shared-state.js';
import { StateConflictError } from '../errors/state-conflict-error.js';

/** What the shared-state contract gives the store factory. */
export interface SharedStateContractSetup {
  /** The clock the store must use for `updatedAt` and TTLs; the suite moves it. */
  readonly clock: ManualClock;
}

/** Waits for asynchronous deliveries (network stores deliver changes later than the write). */
const eventually = (assertion: () => void): Promise<void> => vi.waitFor(assertion, { timeout: 5_000, interval: 5 });

let sequence = 0;
const uniqueScopeId = (): string => `contract-${process.pid}-${Date.now().toString(36)}-${++sequence}`;

/**
 * Declares the behaviour every {@link SharedState} must have, as a vitest `describe` block. Call it
 * from a test file with a factory that makes a fresh, empty store on the given clock.
 *
 * @example
 * ```ts
 * describeSharedStateContract('InMemorySharedState', async ({ clock }) => new InMemorySharedState({ clock }));
 * ```
 */
export function describeSharedStateContract(
  name: string,
  createStore: (setup: SharedStateContractSetup) => Promise<SharedState>,
  cleanup?: (store: SharedState) => Promise<void>,
): void {
  describe(`${name} (SharedState contract)`, () => {
    const withStore = (test: (store: SharedState, clock: ManualClock, scopeId: string) => Promise<void>) => async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const store = await createStore({ clock });
      try {
        await test(store, clock, uniqueScopeId());
      } finally {
        await cleanup?.(store);
      }
    };
    const at = (scopeId: string, key: string, scope: StateAddress['scope'] = 'workflow'): StateAddress => ({
      scope,
      scopeId: scope === 'global' ? '' : scopeId,
      key,
    });

    it('returns undefined for a key never written', withStore(async (store, _clock, scopeId) => {
      expect(await store.get(at(scopeId, 'missing'))).toBeUndefined();
    }));

    it('stamps updatedAt and expiresAt in whole epoch milliseconds, even when the clock reads a fraction', withStore(async (store, clock, scopeId) => {
      clock.advance(0.75);
      const written = await store.set(at(scopeId, 'stamp'), 1, { ttlMs: 1_000.5 });
      expect(written.updatedAt).toBe(Math.floor(clock.now()));
      expect(Number.isInteger(written.expiresAt)).toBe(true);
      expect(written.expiresAt! - written.updatedAt).toBe(1_001);
      const read = await store.get(at(scopeId, 'stamp'));
      expect(read).toMatchObject({ updatedAt: written.updatedAt, expiresAt: written.expiresAt });
    }));

    it('stores a value at version 1 and counts every later write', withStore(async (store, clock, scopeId) => {
      const first = await store.set(at(scopeId, 'plan'), { steps: ['a'] }, { updatedBy: 'planner' });
      expect(first).toMatchObject({ scope: 'workflow', scopeId, key: 'plan', value: { steps: ['a'] }, version: 1, updatedBy: 'planner' });
      expect(first.updatedAt).toBe(clock.now());
      clock.advance(10);
      const second = await store.set(at(scopeId, 'plan'), { steps: ['a', 'b'] });
      expect(second.version).toBe(2);
      expect(second.updatedAt).toBe(clock.now());
      const read = await store.get<{ steps: string[] }>(at(scopeId, 'plan'));
      expect(read).toMatchObject({ value: { steps: ['a', 'b'] }, version: 2 });
    }));

    it('hands out copies: changing a written or read object does not change the store', withStore(async (store, _clock, scopeId) => {
      const value = { items: [1, 2] };
      await store.set(at(scopeId, 'list'), value);
      value.items.push(3);
      const read = await store.get<{ items: number[] }>(at(scopeId, 'list'));
      expect(read?.value).toEqual({ items: [1, 2] });
      read!.value.items.push(4);
      expect((await store.get(at(scopeId, 'list')))?.value).toEqual({ items: [1, 2] });
    }));

    it('keeps the scopes and scope ids apart', withStore(async (store, _clock, scopeId) => {
      const otherRun = `${scopeId}-other`;
      await store.set(at(scopeId, 'shared'), 'workflow');
      await store.set(at(scopeId, 'shared', 'session'), 'session');
      await store.set(at(scopeId, `shared-${scopeId}`, 'global'), 'global');
      await store.set(at(otherRun, 'shared'), 'other run');
      expect((await store.get(at(scopeId, 'shared')))?.value).toBe('workflow');
      expect((await store.get(at(scopeId, 'shared', 'session')))?.value).toBe('session');
      expect((await store.get(at(scopeId, `shared-${scopeId}`, 'global')))?.value).toBe('global');
      expect((await store.get(at(otherRun, 'shared')))?.value).toBe('other run');
    }));

    it('compare-and-set with version 0 creates only a missing entry', withStore(async (store, _clock, scopeId) => {
      const created = await store.compareAndSet(at(scopeId, 'lock'), 0, 'agent-a');
      expect(created.version).toBe(1);
      const error = await store.compareAndSet(at(scopeId, 'lock'), 0, 'agent-b').catch((caught: unknown) => caught);
      expect(StateConflictError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'STATE_CONFLICT', expectedVersion: 0, actualVersion: 1 });
      expect((error as StateConflictError).key).toContain('lock');
      expect((await store.get(at(scopeId, 'lock')))?.value).toBe('agent-a');
    }));

    it('compare-and-set writes on the expected version and refuses a stale one, naming both versions', withStore(async (store, _clock, scopeId) => {
      await store.set(at(scopeId, 'counter'), 1);
      await store.set(at(scopeId, 'counter'), 2);
      const updated = await store.compareAndSet(at(scopeId, 'counter'), 2, 3);
      expect(updated).toMatchObject({ value: 3, version: 3 });
      const error = await store.compareAndSet(at(scopeId, 'counter'), 2, 99).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(StateConflictError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ expectedVersion: 2, actualVersion: 3 });
      expect((error as Error).message).toMatch(/expected version 2, found 3/);
      expect((await store.get(at(scopeId, 'counter')))?.value).toBe(3);
    }));

    it('lets exactly one of 50 concurrent compare-and-set writers win', withStore(async (store, _clock, scopeId) => {
      const address = at(scopeId, 'leader');
      const create = await Promise.allSettled(Array.from({ length: 50 }, (_, index) => store.compareAndSet(address, 0, `writer-${index}`)));
      const created = create.filter((outcome) => outcome.status === 'fulfilled');
      expect(created).toHaveLength(1);
      for (const outcome of create) {
        if (outcome.status === 'rejected') expect(StateConflictError.isInstance(outcome.reason)).toBe(true);
      }
      const update = await Promise.allSettled(Array.from({ length: 50 }, (_, index) => store.compareAndSet(address, 1, `updater-${index}`)));
      const winners = update.filter((outcome): outcome is PromiseFulfilledResult<StateEntry<string>> => outcome.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const final = await store.get(address);
      expect(final?.version).toBe(2);
      expect(final?.value).toBe(winners[0]!.value.value);
    }));

    it('deletes an entry, and refuses a delete on a stale version', withStore(async (store, _clock, scopeId) => {
      await store.set(at(scopeId, 'temp'), 'x');
      await store.set(at(scopeId, 'temp'), 'y');
      const error = await store.delete(at(scopeId, 'temp'), 1).catch((caught: unknown) => caught);
      expect(StateConflictError.isInstance(error)).toBe(true);
      expect(await store.delete(at(scopeId, 'temp'), 2)).toBe(true);
      expect(await store.get(at(scopeId, 'temp'))).toBeUndefined();
      expect(await store.delete(at(scopeId, 'temp'))).toBe(false);
      const recreated = await store.compareAndSet(at(scopeId, 'temp'), 0, 'z');
      expect(recreated.version).toBe(1);
    }));

    it('lists the keys of one scope, sorted and filtered by prefix', withStore(async (store, _clock, scopeId) => {
      await store.set(at(scopeId, 'task:2'), 2);
      await store.set(at(scopeId, 'task:1'), 1);
      await store.set(at(scopeId, 'note'), 'n');
      await store.set(at(`${scopeId}-other`, 'task:3'), 3);
      expect(await store.keys('workflow', scopeId)).toEqual(['note', 'task:1', 'task:2']);
      expect(await store.keys('workflow', scopeId, 'task:')).toEqual(['task:1', 'task:2']);
      expect(await store.keys('session', scopeId)).toEqual([]);
    }));

    it('expires an entry written with a TTL once its time has passed on the store clock', withStore(async (store, clock, scopeId) => {
      const entry = await store.set(at(scopeId, 'lease'), 'holder', { ttlMs: 1_000 });
      expect(entry.expiresAt).toBe(clock.now() + 1_000);
      await store.set(at(scopeId, 'forever'), 'kept');
      clock.advance(999);
      expect((await store.get(at(scopeId, 'lease')))?.value).toBe('holder');
      clock.advance(1);
      expect(await store.get(at(scopeId, 'lease'))).toBeUndefined();
      expect(await store.keys('workflow', scopeId)).toEqual(['forever']);
      const again = await store.compareAndSet(at(scopeId, 'lease'), 0, 'next holder');
      expect(again.version).toBe(1);
      expect((await store.get(at(scopeId, 'forever')))?.value).toBe('kept');
    }));

    it('notifies subscribers of matching sets and deletes, with versions', withStore(async (store, _clock, scopeId) => {
      const changes: StateChange[] = [];
      const subscription = await store.subscribe({ scope: 'workflow', scopeId, keyPrefix: 'task:' }, (change) => changes.push(change));
      await store.set(at(scopeId, 'task:1'), 'draft', { updatedBy: 'planner' });
      await store.set(at(scopeId, 'other'), 'ignored');
      await store.set(at(`${scopeId}-x`, 'task:1'), 'other run, ignored');
      await store.compareAndSet(at(scopeId, 'task:1'), 1, 'final');
      await store.delete(at(scopeId, 'task:1'));
      await eventually(() => expect(changes).toHaveLength(3));
      expect(changes.map((change) => [change.type, change.key, change.previousVersion, change.entry?.version, change.entry?.value])).toEqual([
        ['set', 'task:1', 0, 1, 'draft'],
        ['set', 'task:1', 1, 2, 'final'],
        ['delete', 'task:1', 2, undefined, undefined],
      ]);
      expect(changes[0]?.entry?.updatedBy).toBe('planner');
      subscription.dispose();
    }));

    it('stops notifying once the subscription is disposed', withStore(async (store, _clock, scopeId) => {
      const disposed: StateChange[] = [];
      const kept: StateChange[] = [];
      const subscription = await store.subscribe({ scopeId, key: 'status' }, (change) => disposed.push(change));
      const witness = await store.subscribe({ scopeId }, (change) => kept.push(change));
      await store.set(at(scopeId, 'status'), 'one');
      await eventually(() => expect(disposed).toHaveLength(1));
      subscription.dispose();
      await store.set(at(scopeId, 'status'), 'two');
      await store.set(at(scopeId, 'marker'), 'done');
      await eventually(() => expect(kept.map((change) => change.key)).toEqual(['status', 'status', 'marker']));
      expect(disposed).toHaveLength(1);
      witness.dispose();
    }));

    // What one store accepts the other accepts, and what it hands back is the same value.
    const refusal = async (attempt: Promise<unknown>): Promise<unknown> => {
      const outcome = await attempt.then(() => 'accepted', (error: unknown) => error);
      return { code: (outcome as { code?: unknown }).code, retryable: (outcome as { retryable?: unknown }).retryable };
    };
    const invalid = { code: 'INVALID_INPUT', retryable: false };

    it('refuses keys, scope ids and writers with a lone surrogate, so two such names never share an entry', withStore(async (store, _clock, scopeId) => {
      for (const half of ['\ud800', '\udfff']) {
        expect(await refusal(store.set(at(scopeId, `secret-${half}`), half))).toEqual(invalid);
        expect(await refusal(store.compareAndSet(at(scopeId, `secret-${half}`), 0, half))).toEqual(invalid);
        expect(await refusal(store.get(at(scopeId, `secret-${half}`)))).toEqual(invalid);
        expect(await refusal(store.delete(at(scopeId, `secret-${half}`)))).toEqual(invalid);
        expect(await refusal(store.set(at(`${scopeId}-${half}`, 'k'), half))).toEqual(invalid);
        expect(await refusal(store.keys('workflow', `${scopeId}-${half}`))).toEqual(invalid);
        expect(await refusal(store.keys('workflow', scopeId, `emoji-${half}`))).toEqual(invalid);
        expect(await refusal(store.set(at(scopeId, 'k'), half, { updatedBy: `agent-${half}` }))).toEqual(invalid);
      }
      expect(await store.keys('workflow', scopeId)).toEqual([]);
      const paired = await store.set(at(scopeId, 'emoji-\ud83d\ude00'), 'kept', { updatedBy: 'agent-\ud83d\ude00' });
      expect(paired.updatedBy).toBe('agent-\ud83d\ude00');
      expect(await store.get(at(scopeId, 'emoji-\ud83d\ude00'))).toMatchObject({ value: 'kept', updatedBy: 'agent-\ud83d\ude00' });
      expect(await store.keys('workflow', scopeId)).toEqual(['emoji-\ud83d\ude00']);
    }));

    it('refuses an empty key and an unknown scope, typed, before writing', withStore(async (store, _clock, scopeId) => {
      expect(await refusal(store.set(at(scopeId, ''), 1))).toEqual(invalid);
      expect(await refusal(store.get(at(scopeId, '')))).toEqual(invalid);
      for (const scope of ['tenant}:x', 'Workflow', '', undefined]) {
        const address = { scope, scopeId, key: 'k' } as unknown as StateAddress;
        expect(await refusal(store.set(address, 1))).toEqual(invalid);
        expect(await refusal(store.compareAndSet(address, 0, 1))).toEqual(invalid);
        expect(await refusal(store.get(address))).toEqual(invalid);
        expect(await refusal(store.delete(address))).toEqual(invalid);
        expect(await refusal(store.keys(scope as StateAddress['scope'], scopeId))).toEqual(invalid);
      }
      expect(await store.keys('workflow', scopeId)).toEqual([]);
    }));

    it('hands back plain data exactly as a JSON round trip gives it', withStore(async (store, _clock, scopeId) => {
      const nullPrototype = Object.assign(Object.create(null) as object, { a: 1 });
      const value = { text: 'cut \ud83d', nested: [{ n: -0 }, [true, null, 1.5]], dropped: undefined, record: nullPrototype };
      const written = await store.set(at(scopeId, 'plain'), value);
      const read = await store.get(at(scopeId, 'plain'));
      for (const entry of [written, read]) {
        expect(entry?.value).toStrictEqual({ text: 'cut \ud83d', nested: [{ n: 0 }, [true, null, 1.5]], record: { a: 1 } });
        expect(Object.is((entry?.value as { nested: [{ n: number }] }).nested[0].n, 0)).toBe(true);
      }
    }));

    it('refuses, typed and before writing, values a JSON round trip would change', withStore(async (store, _clock, scopeId) => {
      class Point {
        constructor(readonly x: number) {}
      }
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      const refused: [string, unknown][] = [
        ['Date', new Date(0)],
        ['NaN', Number.NaN],
        ['Infinity', { score: Infinity }],
        ['Map', new Map([['a', 1]])],
        ['Set', new Set([1])],
        ['BigInt', { count: 1n }],
        ['RegExp', /x/],
        ['Uint8Array', new Uint8Array([1])],
        ['class instance', new Point(1)],
        ['function', { run: () => 1 }],
        ['symbol', Symbol('s')],
        ['undefined', undefined],
        ['undefined in an array', [1, undefined]],
        // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
        ['hole', [1, , 3]],
        ['cycle', cycle],
      ];
      for (const [name, value] of refused) {
        expect(await refusal(store.set(at(scopeId, 'v'), value)), name).toEqual(invalid);
        expect(await refusal(store.compareAndSet(at(scopeId, 'v'), 0, value)), name).toEqual(invalid);
      }
      expect(await store.get(at(scopeId, 'v'))).toBeUndefined();
      expect(await store.keys('workflow', scopeId)).toEqual([]);
    }));

    it('does not notify for a refused compare-and-set', withStore(async (store, _clock, scopeId) => {
      const changes: StateChange[] = [];
      const subscription = await store.subscribe({ scopeId }, (change) => changes.push(change));
      await store.set(at(scopeId, 'value'), 1);
      await store.compareAndSet(at(scopeId, 'value'), 5, 2).catch(() => undefined);
      await store.set(at(scopeId, 'marker'), true);
      await eventually(() => expect(changes.map((change) => change.key)).toEqual(['value', 'marker']));
      subscription.dispose();
    }));
  });
}
