import { describe, it, expect } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import type { AgentMemory } from '../memory/agent-memory.js';

/** What the agent-memory contract gives the store factory. */
export interface AgentMemoryContractSetup {
  /** The clock the store must use for `createdAt` when the draft gives none. */
  readonly clock: ManualClock;
  /** The bound the store must be created with. */
  readonly maxEntries: number;
}

/**
 * Declares the behaviour every {@link AgentMemory} must have, as a vitest `describe` block. The
 * factory makes a fresh, empty store on the given clock, bounded to `maxEntries`.
 *
 * @example
 * ```ts
 * describeAgentMemoryContract('InMemoryAgentMemory', async ({ clock, maxEntries }) => new InMemoryAgentMemory({ clock, maxEntries }));
 * ```
 */
export function describeAgentMemoryContract(
  name: string,
  createStore: (setup: AgentMemoryContractSetup) => Promise<AgentMemory>,
  cleanup?: (store: AgentMemory) => Promise<void>,
): void {
  describe(`${name} (AgentMemory contract)`, () => {
    const withStore = (test: (store: AgentMemory, clock: ManualClock) => Promise<void>, maxEntries = 100) => async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const store = await createStore({ clock, maxEntries });
      try {
        await test(store, clock);
      } finally {
        await cleanup?.(store);
      }
    };

    it('stores an entry and retrieves it by id', withStore(async (store, clock) => {
      const stored = await store.store({ agentId: 'researcher', content: { fact: 'water boils at 100 C' }, tags: ['physics'], metadata: { source: 'book' } });
      expect(stored).toMatchObject({ agentId: 'researcher', content: { fact: 'water boils at 100 C' }, tags: ['physics'], createdAt: clock.now(), metadata: { source: 'book' } });
      expect(typeof stored.id).toBe('string');
      expect(stored.id.length).toBeGreaterThan(0);
      expect(await store.retrieve(stored.id)).toEqual(stored);
      expect(await store.retrieve('no-such-id')).toBeUndefined();
    }));

    it('stamps createdAt in whole epoch milliseconds, even when the clock reads a fraction', withStore(async (store, clock) => {
      clock.advance(0.75);
      const stored = await store.store({ agentId: 'researcher', content: 'fact' });
      expect(stored.createdAt).toBe(Math.floor(clock.now()));
      expect((await store.retrieve(stored.id))?.createdAt).toBe(stored.createdAt);
    }));

    it('keeps the caller id, and storing the same id again replaces the entry', withStore(async (store) => {
      await store.store({ id: 'summary', agentId: 'writer', content: 'v1' });
      await store.store({ id: 'summary', agentId: 'writer', content: 'v2' });
      expect((await store.retrieve('summary'))?.content).toBe('v2');
      expect(await store.size()).toBe(1);
    }));

    it('hands out copies of the content', withStore(async (store) => {
      const content = { notes: ['a'] };
      const stored = await store.store({ agentId: 'a', content });
      content.notes.push('b');
      const read = await store.retrieve<{ notes: string[] }>(stored.id);
      expect(read?.content).toEqual({ notes: ['a'] });
      read!.content.notes.push('c');
      expect((await store.retrieve(stored.id))?.content).toEqual({ notes: ['a'] });
    }));

    it('queries by tags, requiring all of them by default or any of them when asked', withStore(async (store) => {
      await store.store({ id: 'm1', agentId: 'a', content: 1, tags: ['user', 'preference'] });
      await store.store({ id: 'm2', agentId: 'a', content: 2, tags: ['user'] });
      await store.store({ id: 'm3', agentId: 'a', content: 3, tags: ['system'] });
      const all = await store.query({ tags: ['user', 'preference'] });
      expect(all.map((entry) => entry.id)).toEqual(['m1']);
      const any = await store.query({ tags: ['preference', 'system'], tagMatch: 'any', order: 'oldest' });
      expect(any.map((entry) => entry.id)).toEqual(['m1', 'm3']);
    }));

    it('queries by agent and by time range (since inclusive, until exclusive)', withStore(async (store, clock) => {
      const start = clock.now();
      await store.store({ id: 'early', agentId: 'planner', content: 'e' });
      clock.advance(1_000);
      await store.store({ id: 'middle', agentId: 'coder', content: 'm' });
      clock.advance(1_000);
      await store.store({ id: 'late', agentId: 'planner', content: 'l' });
      await store.store({ id: 'given', agentId: 'planner', content: 'g', createdAt: start + 500 });
      expect((await store.query({ agentId: 'planner', order: 'oldest' })).map((entry) => entry.id)).toEqual(['early', 'given', 'late']);
      expect((await store.query({ since: start + 500, until: start + 2_000, order: 'oldest' })).map((entry) => entry.id)).toEqual(['given', 'middle']);
      expect((await store.query({ agentId: 'coder', since: start + 1_001 })).map((entry) => entry.id)).toEqual([]);
    }));

    it('orders newest first by default and honours the limit', withStore(async (store, clock) => {
      for (const id of ['one', 'two', 'three']) {
        await store.store({ id, agentId: 'a', content: id });
        clock.advance(10);
      }
      expect((await store.query()).map((entry) => entry.id)).toEqual(['three', 'two', 'one']);
      expect((await store.query({ limit: 2 })).map((entry) => entry.id)).toEqual(['three', 'two']);
      expect((await store.query({ limit: 2, order: 'oldest' })).map((entry) => entry.id)).toEqual(['one', 'two']);
    }));

    it('orders entries stored at the same instant by storing order', withStore(async (store) => {
      for (const id of ['a', 'b', 'c']) await store.store({ id, agentId: 'x', content: id });
      expect((await store.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
      expect((await store.query()).map((entry) => entry.id)).toEqual(['c', 'b', 'a']);
    }));

    it('never holds more than maxEntries, evicting the entries stored longest ago', withStore(async (store) => {
      for (let index = 0; index < 8; index++) {
        await store.store({ id: `m${index}`, agentId: 'a', content: index });
        expect(await store.size()).toBeLessThanOrEqual(5);
      }
      expect(await store.size()).toBe(5);
      expect(await store.retrieve('m0')).toBeUndefined();
      expect(await store.retrieve('m2')).toBeUndefined();
      expect((await store.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    }, 5));

    it('deletes one entry and clears them all', withStore(async (store) => {
      await store.store({ id: 'keep', agentId: 'a', content: 1 });
      await store.store({ id: 'drop', agentId: 'a', content: 2 });
      expect(await store.delete('drop')).toBe(true);
      expect(await store.delete('drop')).toBe(false);
      expect((await store.query()).map((entry) => entry.id)).toEqual(['keep']);
      await store.clear();
      expect(await store.size()).toBe(0);
      expect(await store.query()).toEqual([]);
    }));

    // Contents JSON carries (a string cut mid-emoji, deep nesting) must be stored, read back,
    // deleted and evicted like any other: a network store never decodes them on the server.
    it('round-trips, deletes and evicts a lone surrogate and deeply nested content', withStore(async (store) => {
      let deep: unknown = 'bottom';
      for (let level = 0; level < 1_100; level++) deep = [deep];
      await store.store({ id: 'cut', agentId: 'a', content: 'emoji \ud83d', tags: ['t'], metadata: { note: '\udfff' } });
      await store.store({ id: 'deep', agentId: 'a', content: deep });
      expect((await store.retrieve('cut'))?.content).toBe('emoji \ud83d');
      expect((await store.retrieve('cut'))?.metadata).toEqual({ note: '\udfff' });
      expect((await store.retrieve('deep'))?.content).toEqual(deep);
      expect(await store.delete('cut')).toBe(true);
      expect(await store.retrieve('cut')).toBeUndefined();
      await store.store({ id: 'cut', agentId: 'a', content: '\ud800' });
      for (let index = 0; index < 4; index++) await store.store({ id: `m${index}`, agentId: 'a', content: index });
      expect(await store.size()).toBe(3);
      expect(await store.retrieve('deep')).toBeUndefined();
      expect(await store.retrieve('cut')).toBeUndefined();
      expect((await store.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(['m1', 'm2', 'm3']);
    }, 3));

    it('refuses, before writing anything, drafts whose ids, agent, tags or time cannot be stored faithfully', withStore(async (store) => {
      const refused: unknown[] = [
        { agentId: 'a', content: 1, tags: [null] },
        { agentId: 'a', content: 1, tags: ['ok', 7] },
        { agentId: 'a', content: 1, tags: 'billing' },
        { agentId: 'a', content: 1, tags: ['half \ud800'] },
        { agentId: 'agent \udfff', content: 1 },
        { id: 'id \ud800', agentId: 'a', content: 1 },
        { id: '', agentId: 'a', content: 1 },
        { id: 42, agentId: 'a', content: 1 },
        { agentId: 'a', content: 1, createdAt: Number.NaN },
        { agentId: 'a', content: 1, createdAt: '2026-01-01' },
        null,
      ];
      for (const draft of refused) {
        const outcome = await store.store(draft as never).then(() => 'stored', (error: unknown) => error);
        expect(outcome, JSON.stringify(draft)).toBeInstanceOf(Error);
        expect((outcome as { code?: unknown }).code, JSON.stringify(draft)).toBe('INVALID_INPUT');
        expect((outcome as { retryable?: unknown }).retryable, JSON.stringify(draft)).toBe(false);
      }
      expect(await store.size()).toBe(0);
    }));

    // The Redis store names its keys after ids, agents and tags (UTF-8: every lone surrogate turns
    // into U+FFFD) and keeps contents as JSON: both stores refuse what either cannot keep apart or
    // give back unchanged, typed, before writing anything.
    const refusal = async (attempt: Promise<unknown>): Promise<unknown> => {
      const outcome = await attempt.then(() => 'accepted', (error: unknown) => error);
      return { code: (outcome as { code?: unknown }).code, retryable: (outcome as { retryable?: unknown }).retryable };
    };
    const invalid = { code: 'INVALID_INPUT', retryable: false };

    it('refuses a lone surrogate in the id, agent or tags of a lookup, so it never finds a neighbour', withStore(async (store) => {
      await store.store({ id: 'secret-\ufffd', agentId: 'agent-\ufffd', content: 'replacement character, well-formed', tags: ['tag-\ufffd'] });
      expect(await refusal(store.retrieve('secret-\ud800'))).toEqual(invalid);
      expect(await refusal(store.delete('secret-\udfff'))).toEqual(invalid);
      expect(await refusal(store.query({ agentId: 'agent-\ud800' }))).toEqual(invalid);
      expect(await refusal(store.query({ tags: ['tag-\udfff'] }))).toEqual(invalid);
      expect((await store.retrieve('secret-\ufffd'))?.content).toBe('replacement character, well-formed');
      expect(await store.size()).toBe(1);
    }));

    it('hands back contents and metadata exactly as a JSON round trip gives them', withStore(async (store) => {
      const stored = await store.store({ id: 'plain', agentId: 'a', content: { n: -0, list: [1, null], gone: undefined }, metadata: { score: 0.5, gone: undefined } });
      for (const entry of [stored, await store.retrieve('plain')]) {
        expect(entry?.content).toStrictEqual({ n: 0, list: [1, null] });
        expect(entry?.metadata).toStrictEqual({ score: 0.5 });
      }
    }));

    it('refuses, typed and before writing, contents and metadata a JSON round trip would change', withStore(async (store) => {
      const refused: [string, unknown][] = [
        ['Date', new Date(0)],
        ['NaN', Number.NaN],
        ['Map', new Map([['a', 1]])],
        ['BigInt', 1n],
        ['Set', { seen: new Set([1]) }],
        ['undefined in an array', [undefined]],
      ];
      for (const [name, value] of refused) {
        expect(await refusal(store.store({ id: 'v', agentId: 'a', content: value })), name).toEqual(invalid);
        expect(await refusal(store.store({ id: 'v', agentId: 'a', content: 1, metadata: { value } })), name).toEqual(invalid);
      }
      expect(await store.size()).toBe(0);
    }));
  });
}
