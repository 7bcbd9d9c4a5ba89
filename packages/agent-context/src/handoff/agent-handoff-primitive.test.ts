import { getEventListeners } from 'node:events';
import { describe, it, expect, vi } from 'vitest';
import { InvalidInputError, InvalidOptionsError, WorkflowContext, step } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { MockPrimitive } from '@tta/primitives/testing';
import { AgentHandoffPrimitive, type HandoffEvent } from './agent-handoff-primitive.js';
import { InMemoryHandoffQueue } from './in-memory-handoff-queue.js';
import { AgentContext } from '../context/agent-context.js';
import { defineAgent } from '../context/define-agent.js';
import { InMemorySharedState } from '../state/in-memory-shared-state.js';

const planner = { id: 'planner', role: 'planner' };
const coderIdentity = { id: 'coder', role: 'coder', capabilities: ['typescript'] };

interface Seen {
  agent: string;
  correlationId: string;
  data: Record<string, unknown>;
  history: string[];
}

/** A coder agent that reports what it saw. */
function recordingCoder() {
  const seen: Seen[] = [];
  const coder = defineAgent(coderIdentity, (task: string, context) => {
    seen.push({
      agent: context.agent.id,
      correlationId: context.correlationId,
      data: { ...context.data },
      history: context.history.map((record) => `${record.from ?? '-'}>${record.to}:${record.kind}`),
    });
    return `code for ${task}`;
  });
  return { coder, seen };
}

function plannerContext(data: Record<string, unknown> = { repository: 'tta', apiKey: 'secret', locale: 'en' }) {
  return AgentContext.create({ workflow: WorkflowContext.create({ correlationId: 'run-1', data }), agent: planner });
}

describe('AgentHandoffPrimitive', () => {
  describe("strategy 'immediate'", () => {
    it('runs the target agent now, in the same run, and returns its output', async () => {
      const { coder, seen } = recordingCoder();
      const handoff = new AgentHandoffPrimitive({ to: coder, reason: 'plan ready' });
      const result = await handoff.execute(plannerContext(), 'login form');
      expect(result).toEqual({ status: 'completed', agentId: 'coder', output: 'code for login form' });
      expect(seen).toEqual([
        {
          agent: 'coder',
          correlationId: 'run-1',
          data: { repository: 'tta', apiKey: 'secret', locale: 'en' },
          history: ['->planner:start', 'planner>coder:handoff'],
        },
      ]);
    });

    it('passes only the listed data keys when preserveContext is a list, and none when false', async () => {
      const { coder, seen } = recordingCoder();
      await new AgentHandoffPrimitive({ to: coder, preserveContext: ['repository', 'missing'] }).execute(plannerContext(), 'a');
      await new AgentHandoffPrimitive({ to: coder, preserveContext: false }).execute(plannerContext(), 'b');
      expect(seen.map((entry) => entry.data)).toEqual([{ repository: 'tta' }, {}]);
    });

    it('starts from a plain WorkflowContext with the configured sender', async () => {
      const { coder, seen } = recordingCoder();
      await new AgentHandoffPrimitive({ to: coder, from: { id: 'gateway', role: 'http' } }).execute(WorkflowContext.create({ correlationId: 'run-9' }), 'x');
      expect(seen[0]).toMatchObject({ correlationId: 'run-9', history: ['->gateway:start', 'gateway>coder:handoff'] });
    });

    it('rethrows the target’s failure and reports the handoff as failed', async () => {
      const failing = defineAgent(coderIdentity, new MockPrimitive<string, string>({ error: new Error('compile error') }));
      const handoff = new AgentHandoffPrimitive({ to: failing });
      const events: HandoffEvent[] = [];
      handoff.onHandoff((event) => events.push(event));
      await expect(handoff.execute(plannerContext(), 'x')).rejects.toThrow('compile error');
      expect(events).toEqual([{ from: 'planner', to: 'coder', strategy: 'immediate', status: 'failed', correlationId: 'run-1' }]);
    });

    it('does not start the target once the run is cancelled', async () => {
      const target = new MockPrimitive<string, string>({ returnValue: 'x' });
      const controller = new AbortController();
      const context = AgentContext.create({ workflow: WorkflowContext.create({ signal: controller.signal }), agent: planner });
      const reason = new Error('user left');
      controller.abort(reason);
      await expect(new AgentHandoffPrimitive({ to: defineAgent(coderIdentity, target) }).execute(context, 'x')).rejects.toBe(reason);
      expect(target.callCount).toBe(0);
    });
  });

  describe("strategy 'conditional'", () => {
    it('runs the target when the predicate holds, seeing the input and the sender’s context', async () => {
      const { coder, seen } = recordingCoder();
      const condition = vi.fn((task: string, context: AgentContext) => task.includes('code') && context.agent.id === 'planner');
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'conditional', condition });
      const result = await handoff.execute(plannerContext(), 'code the form');
      expect(result.status).toBe('completed');
      expect(seen).toHaveLength(1);
      expect(condition).toHaveBeenCalledTimes(1);
    });

    it('skips the target when the predicate is false (async predicates too)', async () => {
      const { coder, seen } = recordingCoder();
      const events: HandoffEvent[] = [];
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'conditional', condition: async () => false });
      handoff.onHandoff((event) => events.push(event));
      const result = await handoff.execute(plannerContext(), 'write a poem');
      expect(result).toEqual({ status: 'skipped', agentId: 'coder' });
      expect(seen).toEqual([]);
      expect(events.map((event) => event.status)).toEqual(['skipped']);
    });
  });

  describe("strategy 'queued'", () => {
    it('queues the task instead of running the target, with the filtered data and the history', async () => {
      const { coder, seen } = recordingCoder();
      const queue = new InMemoryHandoffQueue();
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue, preserveContext: ['repository'], reason: 'needs code' });
      const result = await handoff.execute(plannerContext(), 'login form');
      expect(result).toMatchObject({ status: 'queued', agentId: 'coder' });
      expect(seen).toEqual([]);
      expect(await queue.size('coder')).toBe(1);
      const delivery = await queue.take('coder');
      expect(delivery?.task).toMatchObject({
        id: (result as { taskId: string }).taskId,
        from: 'planner',
        to: 'coder',
        input: 'login form',
        correlationId: 'run-1',
        data: { repository: 'tta' },
        reason: 'needs code',
      });
      expect(delivery?.task.history.map((record) => record.kind)).toEqual(['start', 'queued-handoff']);
    });

    it('is drained by the target: each task runs once, in order, continuing its own run', async () => {
      const { coder, seen } = recordingCoder();
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued', preserveContext: ['locale'] });
      await handoff.execute(plannerContext(), 'first');
      await handoff.execute(AgentContext.create({ workflow: WorkflowContext.create({ correlationId: 'run-2', data: { locale: 'fr' } }), agent: planner }), 'second');
      const report = await handoff.drain(WorkflowContext.create({ correlationId: 'worker' }));
      expect(report.completed.map((entry) => entry.output)).toEqual(['code for first', 'code for second']);
      expect(report.failed).toEqual([]);
      expect(seen).toEqual([
        { agent: 'coder', correlationId: 'run-1', data: { locale: 'en' }, history: ['->planner:start', 'planner>coder:queued-handoff'] },
        { agent: 'coder', correlationId: 'run-2', data: { locale: 'fr' }, history: ['->planner:start', 'planner>coder:queued-handoff'] },
      ]);
      expect(await handoff.queue!.size('coder')).toBe(0);
      expect((await handoff.drain(WorkflowContext.create())).completed).toEqual([]);
    });

    it('reports a failing task and goes on with the next one', async () => {
      const target = new MockPrimitive<string, string>({ implementation: async (input) => {
        if (input === 'bad') throw new Error('cannot');
        return input.toUpperCase();
      } });
      const queue = new InMemoryHandoffQueue();
      const takeSpy = vi.spyOn(queue, 'take');
      const handoff = new AgentHandoffPrimitive({ to: defineAgent(coderIdentity, target), strategy: 'queued', queue });
      for (const task of ['ok', 'bad', 'fine']) await handoff.execute(plannerContext(), task);
      const report = await handoff.drain(WorkflowContext.create());
      expect(report.completed.map((entry) => entry.output)).toEqual(['OK', 'FINE']);
      expect(report.failed.map((entry) => [entry.task.input, (entry.error as Error).message])).toEqual([['bad', 'cannot']]);
      expect(takeSpy).toHaveBeenCalledTimes(4);
    });

    it('reports a task whose complete() fails with that error, never fails the finished delivery, and drains on', async () => {
      const target = new MockPrimitive<string, string>({ implementation: async (input) => input.toUpperCase() });
      const queue = new InMemoryHandoffQueue();
      const ackError = new Error('Redis is unavailable (complete)');
      const calls: string[] = [];
      const take = queue.take.bind(queue);
      vi.spyOn(queue, 'take').mockImplementation(async (agentId) => {
        const delivery = await take(agentId);
        if (delivery === undefined) return undefined;
        const input = String(delivery.task.input);
        let settled = false;
        const settle = (kind: string): void => {
          calls.push(`${kind}:${input}`);
          if (settled) throw new Error('this delivery is already completed or failed');
          settled = true;
        };
        return {
          task: delivery.task,
          complete: async () => {
            settle('complete');
            if (input === 'slow') throw ackError;
          },
          fail: async () => settle('fail'),
        };
      });
      const handoff = new AgentHandoffPrimitive({ to: defineAgent(coderIdentity, target), strategy: 'queued', queue });
      for (const task of ['slow', 'fast']) await handoff.execute(plannerContext(), task);
      const report = await handoff.drain(WorkflowContext.create());
      expect(calls).toEqual(['complete:slow', 'complete:fast']);
      expect(report.completed.map((entry) => entry.output)).toEqual(['FAST']);
      expect(report.failed).toEqual([{ task: expect.objectContaining({ input: 'slow' }), error: ackError }]);
    });

    it('keeps the task’s own error and drains on when fail() itself fails', async () => {
      const target = new MockPrimitive<string, string>({ implementation: async (input) => {
        if (input === 'bad') throw new Error('cannot');
        return input;
      } });
      const queue = new InMemoryHandoffQueue();
      const take = queue.take.bind(queue);
      const failError = new Error('Redis is unavailable (fail)');
      vi.spyOn(queue, 'take').mockImplementation(async (agentId) => {
        const delivery = await take(agentId);
        return delivery === undefined ? undefined : { ...delivery, fail: async () => Promise.reject(failError) };
      });
      const handoff = new AgentHandoffPrimitive({ to: defineAgent(coderIdentity, target), strategy: 'queued', queue });
      for (const task of ['bad', 'next']) await handoff.execute(plannerContext(), task);
      const report = await handoff.drain(WorkflowContext.create());
      expect(report.completed.map((entry) => entry.output)).toEqual(['next']);
      expect(report.failed).toHaveLength(1);
      expect((report.failed[0]?.error as Error).message).toBe('cannot');
      expect(report.failed[0]?.acknowledgeError).toBe(failError);
    });

    it('runs at most `limit` tasks per drain', async () => {
      const { coder } = recordingCoder();
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued' });
      for (const task of ['a', 'b', 'c']) await handoff.execute(plannerContext(), task);
      expect((await handoff.drain(WorkflowContext.create(), { limit: 2 })).completed).toHaveLength(2);
      expect(await handoff.queue!.size('coder')).toBe(1);
    });

    it('uses the drainer’s stores, so the target sees what the sender wrote on the blackboard', async () => {
      const sharedState = new InMemorySharedState();
      const sender = AgentContext.create({ workflow: WorkflowContext.create({ correlationId: 'run-5' }), agent: planner, sharedState });
      await sender.blackboard.set('spec', 'two buttons');
      const coder = defineAgent(coderIdentity, async (_task: string, context) => context.blackboard.get<string>('spec'));
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued' });
      await handoff.execute(sender, 'build it');
      const drainer = AgentContext.create({ workflow: WorkflowContext.create(), agent: coderIdentity, sharedState });
      const report = await handoff.drain(drainer);
      expect(report.completed[0]?.output).toBe('two buttons');
    });

    it('stops draining when the drainer is cancelled, failing the running task with the reason', async () => {
      const controller = new AbortController();
      const reason = new Error('shutting down');
      const target = step('slow', (input: string, context: WorkflowContext) => {
        if (input === 'first') controller.abort(reason);
        context.throwIfAborted();
        return input;
      });
      const queue = new InMemoryHandoffQueue();
      const handoff = new AgentHandoffPrimitive({ to: defineAgent(coderIdentity, target), strategy: 'queued', queue });
      await handoff.execute(plannerContext(), 'first');
      await handoff.execute(plannerContext(), 'second');
      await expect(handoff.drain(WorkflowContext.create({ signal: controller.signal }))).rejects.toBe(reason);
      expect(await queue.size('coder')).toBe(1);
    });

    it('refuses to queue data that cannot be copied, and queues nothing', async () => {
      const { coder } = recordingCoder();
      const queue = new InMemoryHandoffQueue();
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue });
      await expect(handoff.execute(plannerContext({ callback: () => 1 }), 'x')).rejects.toThrow();
      expect(await queue.size('coder')).toBe(0);
    });

    it('logs the drained runs with each task’s correlation id', async () => {
      const lines: Array<Record<string, unknown>> = [];
      const sink = { debug: () => undefined, info: (fields: Record<string, unknown>) => void lines.push(fields), warn: () => undefined, error: () => undefined };
      const coder = defineAgent(coderIdentity, (task: string, context) => {
        context.logger.info({ task }, 'coding');
        return task;
      });
      const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued' });
      await handoff.execute(plannerContext(), 'a');
      await handoff.drain(WorkflowContext.create({ correlationId: 'worker' }), { logger: sink });
      expect(lines).toEqual([{ task: 'a', correlationId: 'run-1' }]);
    });

    it('refuses drain() on a handoff that is not queued, and bad drain arguments, with typed errors', async () => {
      const { coder } = recordingCoder();
      const immediate = new AgentHandoffPrimitive({ to: coder });
      await expect(immediate.drain(WorkflowContext.create())).rejects.toThrow(InvalidOptionsError);
      await expect(immediate.drain(WorkflowContext.create())).rejects.toThrow('AgentHandoffPrimitive: option "strategy" must be \'queued\' for drain() (strategy of "agent-handoff(coder)" is \'immediate\')');
      const queued = new AgentHandoffPrimitive({ to: coder, strategy: 'queued' });
      await expect(queued.drain({} as never)).rejects.toThrow(InvalidInputError);
      await expect(queued.drain({} as never)).rejects.toThrow('AgentHandoffPrimitive.drain: context must be a WorkflowContext (got an object)');
      await expect(queued.drain(WorkflowContext.create(), { limit: -1 })).rejects.toThrow(InvalidOptionsError);
      await expect(queued.drain(WorkflowContext.create(), { limit: -1 })).rejects.toThrow('AgentHandoffPrimitive.drain: option "limit" must be an integer >= 0 or Infinity (got -1)');
      await expect(queued.drain(WorkflowContext.create(), null as never)).rejects.toThrow('AgentHandoffPrimitive.drain: option "options" must be an object when given (got null)');
    });
  });

  it('reports handoffs to the instrumentation seam', async () => {
    const { coder } = recordingCoder();
    const events: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => void events.push(event) });
    try {
      await new AgentHandoffPrimitive({ to: coder, strategy: 'queued' }).execute(plannerContext(), 'x');
    } finally {
      registration.dispose();
    }
    expect(events).toContainEqual(expect.objectContaining({ type: 'handoff', from: 'planner', to: 'coder', strategy: 'queued', status: 'queued' }));
  });

  it("leaves no listener on the caller's signal after immediate, conditional and queued handoffs and a drain", async () => {
    const controller = new AbortController();
    const listeners = (): number => getEventListeners(controller.signal, 'abort').length;
    const target = defineAgent(coderIdentity, (task: string, context) => {
      const onAbort = (): void => undefined;
      context.signal.addEventListener('abort', onAbort, { once: true });
      context.signal.removeEventListener('abort', onAbort);
      return task;
    });
    const run = (): AgentContext => AgentContext.create({ workflow: WorkflowContext.create({ signal: controller.signal, timeoutMs: 60_000 }), agent: planner });
    const queue = new InMemoryHandoffQueue();
    const handoffs = [
      new AgentHandoffPrimitive({ to: target }),
      new AgentHandoffPrimitive({ to: target, strategy: 'conditional', condition: () => true }),
      new AgentHandoffPrimitive({ to: target, strategy: 'queued', queue }),
    ];
    for (let round = 0; round < 3; round++) {
      for (const handoff of handoffs) await handoff.execute(run(), 'task');
      expect(listeners()).toBe(0);
    }
    const report = await handoffs[2]!.drain(WorkflowContext.create({ signal: controller.signal, timeoutMs: 60_000 }));
    expect(report.completed).toHaveLength(3);
    expect(listeners()).toBe(0);
  });

  it('refuses missing or malformed options with InvalidOptionsError and a readable message', () => {
    const { coder } = recordingCoder();
    const refusals: Array<[() => unknown, string]> = [
      [() => new AgentHandoffPrimitive(undefined as never), 'AgentHandoffPrimitive: option "options" must be an object with "to" (got undefined)'],
      [() => new AgentHandoffPrimitive({} as never), 'AgentHandoffPrimitive: option "to" must be an agent definition { agent: { id, role }, primitive } (see defineAgent) (got undefined)'],
      [() => new AgentHandoffPrimitive({ to: { agent: {}, primitive: coder.primitive } } as never), 'AgentHandoffPrimitive: option "to.agent.id" must be a non-empty string (got undefined)'],
      [() => new AgentHandoffPrimitive({ to: coder, strategy: Object.create(null) as never }), "AgentHandoffPrimitive: option \"strategy\" must be 'immediate', 'queued' or 'conditional' (got an object)"],
      [() => new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue: {} as never }), 'AgentHandoffPrimitive: option "queue" must be a HandoffQueue with enqueue(), take() and size() (got an object)'],
      [() => new AgentHandoffPrimitive({ to: coder, reason: 42 as never }), 'AgentHandoffPrimitive: option "reason" must be a string (got 42)'],
      [() => new AgentHandoffPrimitive({ to: coder, from: { id: 'planner' } as never }), 'AgentHandoffPrimitive: option "from.role" of agent "planner" must be a non-empty string (got undefined)'],
      [() => new AgentHandoffPrimitive({ to: coder, preserveContext: Object.create(null) as never }), 'AgentHandoffPrimitive: option "preserveContext" must be true, false or an array of data keys (got an object)'],
    ];
    for (const [attempt, message] of refusals) {
      expect(attempt).toThrow(InvalidOptionsError);
      expect(attempt).toThrow(message);
    }
    expect(() => new AgentHandoffPrimitive(null as never)).toThrow(InvalidOptionsError);
  });

  it('refuses inconsistent options at construction', () => {
    const { coder } = recordingCoder();
    expect(() => new AgentHandoffPrimitive({ to: coder, strategy: 'conditional' })).toThrow(InvalidOptionsError);
    expect(() => new AgentHandoffPrimitive({ to: coder, condition: () => true })).toThrow(/only applies to strategy 'conditional'/);
    expect(() => new AgentHandoffPrimitive({ to: coder, queue: new InMemoryHandoffQueue() })).toThrow(/queue/);
    expect(() => new AgentHandoffPrimitive({ to: coder, strategy: 'later' as never })).toThrow(/strategy/);
    expect(() => new AgentHandoffPrimitive({ to: coder, preserveContext: 'all' as never })).toThrow(/preserveContext/);
    expect(() => new AgentHandoffPrimitive({ to: { agent: coderIdentity } as never })).toThrow(/"to"/);
  });
});
