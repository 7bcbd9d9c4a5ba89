import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { InvalidInputError, InvalidOptionsError } from '@tta/primitives';
import { InMemoryAgentMemory } from './in-memory-agent-memory.js';
import { describeAgentMemoryContract } from '../testing/agent-memory-suite.js';
import type { MemoryEntry } from './agent-memory.js';

describeAgentMemoryContract('InMemoryAgentMemory', async ({ clock, maxEntries }) => new InMemoryAgentMemory({ clock, maxEntries }));

describe('InMemoryAgentMemory', () => {
  it('refuses a maxEntries that is not a positive integer', () => {
    expect(() => new InMemoryAgentMemory({ maxEntries: 0 })).toThrow(InvalidOptionsError);
    expect(() => new InMemoryAgentMemory({ maxEntries: 2.5 })).toThrow('InMemoryAgentMemory: option "maxEntries" must be a positive integer or Infinity (got 2.5)');
    expect(() => new InMemoryAgentMemory({ maxEntries: Object.create(null) as number })).toThrow('InMemoryAgentMemory: option "maxEntries" must be a positive integer or Infinity (got an object)');
    expect(() => new InMemoryAgentMemory(null as never)).toThrow('InMemoryAgentMemory: option "options" must be an object when given (got null)');
  });

  it('refuses a draft without an agent id with InvalidInputError', async () => {
    const memory = new InMemoryAgentMemory();
    await expect(memory.store({ agentId: '', content: 1 })).rejects.toThrow(InvalidInputError);
    await expect(memory.store({ agentId: '', content: 1 })).rejects.toThrow('AgentMemory.store: agentId must be a non-empty string (got "")');
    await expect(memory.store(undefined as never)).rejects.toThrow('AgentMemory.store: draft must be an object (got undefined)');
  });

  it('rejects content that cannot be copied, and stores nothing', async () => {
    const memory = new InMemoryAgentMemory();
    await expect(memory.store({ agentId: 'a', content: { run: () => 1 } })).rejects.toThrow();
    expect(await memory.size()).toBe(0);
  });

  it('reports each evicted entry through onEvict', async () => {
    const memory = new InMemoryAgentMemory({ maxEntries: 2 });
    const evicted: MemoryEntry[] = [];
    const subscription = memory.onEvict((entry) => evicted.push(entry));
    for (const id of ['a', 'b', 'c', 'd']) await memory.store({ id, agentId: 'x', content: id });
    expect(evicted.map((entry) => entry.id)).toEqual(['a', 'b']);
    subscription.dispose();
    await memory.store({ id: 'e', agentId: 'x', content: 'e' });
    expect(evicted).toHaveLength(2);
  });

  it('counts a re-stored id as the newest, so it is evicted last', async () => {
    const memory = new InMemoryAgentMemory({ maxEntries: 2 });
    await memory.store({ id: 'a', agentId: 'x', content: 1 });
    await memory.store({ id: 'b', agentId: 'x', content: 2 });
    await memory.store({ id: 'a', agentId: 'x', content: 3 });
    await memory.store({ id: 'c', agentId: 'x', content: 4 });
    expect(await memory.retrieve('b')).toBeUndefined();
    expect((await memory.retrieve('a'))?.content).toBe(3);
  });

  it('never holds more than maxEntries and keeps exactly the most recently stored ids (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 60 }), async (maxEntries, ids) => {
        const memory = new InMemoryAgentMemory({ maxEntries });
        for (const id of ids) {
          await memory.store({ id: String(id), agentId: 'a', content: id });
          if ((await memory.size()) > maxEntries) return false;
        }
        const recent: string[] = [];
        for (const id of [...ids].reverse().map(String)) if (!recent.includes(id)) recent.push(id);
        const expected = recent.slice(0, maxEntries).sort();
        const held = (await memory.query()).map((entry) => entry.id).sort();
        return JSON.stringify(held) === JSON.stringify(expected);
      }),
    );
  });
});
