import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, WorkflowContext, step } from '@tta/primitives';
import { AgentContext } from './context/agent-context.js';
import { defineAgent } from './context/define-agent.js';
import { AgentHandoffPrimitive } from './handoff/agent-handoff-primitive.js';
import { InMemoryHandoffQueue } from './handoff/in-memory-handoff-queue.js';
import { InMemoryAgentMemory } from './memory/in-memory-agent-memory.js';
import { InMemoryMailbox } from './messaging/in-memory-mailbox.js';
import { TypedMailbox } from './messaging/typed-mailbox.js';
import { InMemorySharedState } from './state/in-memory-shared-state.js';
import { z } from 'zod';

const supportedRule = 'must be 1, the store interface version this release supports';
const coder = defineAgent({ id: 'coder', role: 'coder' }, step('code', (task: string) => `code for ${task}`));

/** A working built-in store that declares `version` instead of 1, as an older or newer implementation would. */
const declaring = <TStore extends object>(store: TStore, version: unknown): TStore => {
  Object.defineProperty(store, 'specificationVersion', { value: version });
  return store;
};

describe('agent stores declare the interface version they implement', () => {
  it('the built-in stores declare version 1 and are accepted', () => {
    for (const store of [new InMemorySharedState(), new InMemoryAgentMemory(), new InMemoryMailbox(), new InMemoryHandoffQueue()]) {
      expect(store.specificationVersion).toBe(1);
    }
    expect(() => new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue: new InMemoryHandoffQueue() })).not.toThrow();
  });

  it.each([
    ['sharedState', () => new InMemorySharedState()],
    ['memory', () => new InMemoryAgentMemory()],
    ['mailbox', () => new InMemoryMailbox()],
  ] as const)('AgentContext.create refuses a %s with a missing or unknown specificationVersion', (option, makeStore) => {
    for (const version of [undefined, 2]) {
      const attempt = () => AgentContext.create({ workflow: WorkflowContext.create(), agent: { id: 'lead', role: 'lead' }, [option]: declaring(makeStore(), version) });
      expect(attempt).toThrow(InvalidOptionsError);
      expect(attempt).toThrow(`AgentContext: option "${option}.specificationVersion" ${supportedRule}`);
    }
  });

  it('AgentHandoffPrimitive refuses a queue with an unknown specificationVersion', () => {
    const attempt = () => new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue: declaring(new InMemoryHandoffQueue(), 2) });
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(`AgentHandoffPrimitive: option "queue.specificationVersion" ${supportedRule} (got 2)`);
  });

  it('TypedMailbox refuses a mailbox without a specificationVersion', () => {
    const attempt = () => new TypedMailbox(declaring(new InMemoryMailbox(), undefined), { note: z.string() });
    expect(attempt).toThrow(InvalidOptionsError);
    expect(attempt).toThrow(`TypedMailbox: option "mailbox.specificationVersion" ${supportedRule} (the store declares none)`);
  });
});
