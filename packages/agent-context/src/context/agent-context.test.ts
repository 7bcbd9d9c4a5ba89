import { describe, it, expect } from 'vitest';
import { InvalidOptionsError, WorkflowContext, parallel, step } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { AgentContext } from './agent-context.js';
import { defineAgent } from './define-agent.js';
import { InMemorySharedState } from '../state/in-memory-shared-state.js';

const planner = { id: 'planner', role: 'planner', capabilities: ['planning'] };
const coder = { id: 'coder', role: 'coder', capabilities: ['typescript', 'tests'] };

describe('AgentContext', () => {
  it('is a WorkflowContext with the agent identity and the run correlation id', () => {
    const workflow = WorkflowContext.create({ correlationId: 'run-42', data: { topic: 'pricing' } });
    const context = AgentContext.create({ workflow, agent: planner });
    expect(context).toBeInstanceOf(WorkflowContext);
    expect(context).toBeInstanceOf(AgentContext);
    expect(context.correlationId).toBe('run-42');
    expect(context.agent).toEqual({ id: 'planner', role: 'planner', capabilities: ['planning'] });
    expect(context.data).toEqual({ topic: 'pricing' });
    expect(context.workflow).toBe(workflow);
    expect(context.hasCapability('planning')).toBe(true);
    expect(context.hasCapability('typescript')).toBe(false);
  });

  it('records history times in whole epoch milliseconds, even when the clock reads a fraction', () => {
    const clock = new ManualClock(1_000.6);
    const context = AgentContext.create({ workflow: WorkflowContext.create({ clock }), agent: planner });
    clock.advance(50.3);
    const next = context.forAgent(coder);
    expect(next.history.map((record) => record.at)).toEqual([1_000, 1_050]);
  });

  it('starts the history with the first agent and records each handoff', () => {
    const clock = new ManualClock(1_000);
    const context = AgentContext.create({ workflow: WorkflowContext.create({ clock }), agent: planner });
    expect(context.history).toEqual([{ to: 'planner', at: 1_000, kind: 'start' }]);
    clock.advance(50);
    const next = context.forAgent(coder, { reason: 'plan ready' });
    expect(next.agent.id).toBe('coder');
    expect(next.previousAgentId).toBe('planner');
    expect(next.history).toEqual([
      { to: 'planner', at: 1_000, kind: 'start' },
      { from: 'planner', to: 'coder', at: 1_050, kind: 'handoff', reason: 'plan ready' },
    ]);
    expect(context.history).toHaveLength(1);
    expect(Object.isFrozen(next.history)).toBe(true);
  });

  it('keeps the correlation id, state map, checkpoints and stores through every agent', () => {
    const sharedState = new InMemorySharedState();
    const workflow = WorkflowContext.create({ correlationId: 'run-7' });
    const first = AgentContext.create({ workflow, agent: planner, sharedState, sessionId: 's-1' });
    first.state.set('draft', 'v1');
    first.checkpoint('planned');
    const second = first.forAgent(coder).forAgent({ id: 'reviewer', role: 'reviewer' });
    expect(second.correlationId).toBe('run-7');
    expect(second.state.get('draft')).toBe('v1');
    expect(second.checkpoints.map((checkpoint) => checkpoint.name)).toEqual(['planned']);
    expect(second.stores.sharedState).toBe(sharedState);
    expect(second.sessionId).toBe('s-1');
    expect(second.workflow).toBe(workflow);
    expect(second.history.map((record) => record.to)).toEqual(['planner', 'coder', 'reviewer']);
  });

  it('gives the next agent other data when asked, without changing this agent’s', () => {
    const context = AgentContext.create({ workflow: WorkflowContext.create({ data: { secret: 'x', topic: 't' } }), agent: planner });
    const next = context.forAgent(coder, { data: { topic: 't' } });
    expect(next.data).toEqual({ topic: 't' });
    expect(context.data).toEqual({ secret: 'x', topic: 't' });
  });

  it('is cancelled with the run, while its own signal cancels only this agent', () => {
    const run = new AbortController();
    const context = AgentContext.create({ workflow: WorkflowContext.create({ signal: run.signal }), agent: planner });
    const own = new AbortController();
    const agentOnly = context.forAgent(coder, { signal: own.signal });
    const sibling = context.forAgent({ id: 'other', role: 'r' });
    own.abort(new Error('stop the coder'));
    expect(agentOnly.aborted).toBe(true);
    expect(agentOnly.signal.aborted).toBe(true);
    expect(sibling.aborted).toBe(false);
    expect(context.aborted).toBe(false);
    const reason = new Error('run cancelled');
    run.abort(reason);
    expect(sibling.aborted).toBe(true);
    expect(sibling.abortReason).toBe(reason);
  });

  it('is found again from the plain child contexts of steps nested inside an agent', async () => {
    const context = AgentContext.create({ workflow: WorkflowContext.create(), agent: coder });
    const whoAmI = step('who', (_input: unknown, nested: WorkflowContext) => AgentContext.of(nested)?.agent.id);
    const [left, right] = await parallel(whoAmI, whoAmI).execute(context, undefined);
    expect([left, right]).toEqual(['coder', 'coder']);
    expect(AgentContext.of(WorkflowContext.create())).toBeUndefined();
  });

  it('remembers and recalls this agent’s memories', async () => {
    const context = AgentContext.create({ workflow: WorkflowContext.create(), agent: planner });
    await context.remember({ step: 'research' }, { tags: ['plan'] });
    await context.forAgent(coder).remember('unrelated');
    const mine = await context.recall({ tags: ['plan'] });
    expect(mine.map((entry) => [entry.agentId, entry.content])).toEqual([['planner', { step: 'research' }]]);
    expect(await context.recall()).toHaveLength(1);
    expect(await context.recall({ agentId: 'coder' })).toHaveLength(1);
  });

  it("times the blackboard's update waits on the run's clock and stops them when the run is cancelled", async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const context = AgentContext.create({ workflow: WorkflowContext.create({ clock, signal: controller.signal }), agent: planner });
    await context.blackboard.set('hot', 0);
    const outcome = context.blackboard
      .update<number>('hot', async (current) => {
        await context.blackboard.set('hot', (current ?? 0) + 100); // another writer wins every round
        return 1;
      })
      .catch((caught: unknown) => caught);
    await clock.tickAsync(0);
    expect(clock.pendingTimers).toBe(1);
    const reason = new Error('run cancelled');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('binds the blackboard to the run, the session and the agent', async () => {
    const context = AgentContext.create({ workflow: WorkflowContext.create({ correlationId: 'run-1' }), agent: planner, sessionId: 'session-9' });
    const entry = await context.blackboard.set('plan', ['a']);
    expect(entry).toMatchObject({ scope: 'workflow', scopeId: 'run-1', key: 'plan', updatedBy: 'planner' });
    expect(context.blackboard.address({ key: 'prefs', scope: 'session', schema: undefined, ttlMs: undefined })).toEqual({ scope: 'session', scopeId: 'session-9', key: 'prefs' });
    expect(await context.forAgent(coder).blackboard.get('plan')).toEqual(['a']);
  });

  it('refuses an agent without id or role, and direct construction, with InvalidOptionsError', () => {
    const workflow = WorkflowContext.create();
    const refusals: Array<[() => unknown, string]> = [
      [() => AgentContext.create({ workflow, agent: { id: '', role: 'x' } }), 'AgentContext: option "agent.id" must be a non-empty string (got "")'],
      [() => AgentContext.create({ workflow, agent: { id: 'a', role: '' } }), 'AgentContext: option "agent.role" of agent "a" must be a non-empty string (got "")'],
      [() => AgentContext.create({ workflow, agent: { id: 'a', role: 'r', capabilities: [1] as never } }), 'AgentContext: option "agent.capabilities" of agent "a" must be an array of strings (got an array of 1)'],
      [() => AgentContext.create({ workflow, agent: Object.create(null) as never }), 'AgentContext: option "agent.id" must be a non-empty string (got undefined)'],
      [() => AgentContext.create({ workflow, agent: null as never }), 'AgentContext: option "agent" must be an object with id and role (got null)'],
      [() => AgentContext.create({ workflow: {} as WorkflowContext, agent: planner }), 'AgentContext: option "workflow" must be a WorkflowContext (got an object)'],
      [() => AgentContext.create(undefined as never), 'AgentContext: option "options" must be an object with workflow and agent (got undefined)'],
      [() => AgentContext.create({ workflow, agent: planner, sessionId: 5 as never }), 'AgentContext: option "sessionId" must be a non-empty string (got 5)'],
      [() => AgentContext.create({ workflow, agent: planner, signal: {} as never }), 'AgentContext: option "signal" must be an AbortSignal (got an object)'],
      [() => AgentContext.create({ workflow, agent: planner }).forAgent({ id: 7, role: 'r' } as never), 'AgentContext.forAgent: option "agent.id" must be a non-empty string (got 7)'],
      [() => AgentContext.create({ workflow, agent: planner }).forAgent(coder, null as never), 'AgentContext.forAgent: option "options" must be an object when given (got null)'],
      [() => AgentContext.create({ workflow, agent: planner }).forAgent(coder, { kind: 'jump' as never }), "AgentContext.forAgent: option \"kind\" must be one of 'start', 'handoff', 'queued-handoff', 'coordination' (got \"jump\")"],
      [() => new (AgentContext as unknown as new () => AgentContext)(), 'AgentContext: option "constructor" is not public: use AgentContext.create({ workflow, agent }) or context.forAgent(agent)'],
    ];
    for (const [attempt, message] of refusals) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidOptionsError);
      expect((caught as Error).message).toBe(message);
    }
  });
});

describe('defineAgent', () => {
  it('runs a function agent as itself, also when called with another agent’s context', async () => {
    const seen: string[] = [];
    const coderAgent = defineAgent(coder, (_input: string, context) => {
      seen.push(`${context.agent.id} after ${context.previousAgentId ?? 'nobody'}`);
      return 'ok';
    });
    const plannerContext = AgentContext.create({ workflow: WorkflowContext.create(), agent: planner });
    await coderAgent.primitive.execute(plannerContext, 'x');
    await coderAgent.primitive.execute(plannerContext.forAgent(coder), 'x');
    await coderAgent.primitive.execute(WorkflowContext.create(), 'x');
    expect(seen).toEqual(['coder after planner', 'coder after planner', 'coder after nobody']);
  });

  it('refuses an agent without id and work that is neither a primitive nor a function, with InvalidOptionsError', () => {
    const refusals: Array<[() => unknown, string]> = [
      [() => defineAgent({ id: '', role: 'x' }, () => 1), 'defineAgent: option "agent.id" must be a non-empty string (got "")'],
      [() => defineAgent({} as never, () => 1), 'defineAgent: option "agent.id" must be a non-empty string (got undefined)'],
      [() => defineAgent(undefined as never, () => 1), 'defineAgent: option "agent" must be an object with id and role (got undefined)'],
      [() => defineAgent({ id: 'x', role: Object.create(null) as never }, () => 1), 'defineAgent: option "agent.role" of agent "x" must be a non-empty string (got an object)'],
      [() => defineAgent(coder, 42 as never), 'defineAgent: option "work" of agent "coder" must be a primitive or a function (got 42)'],
    ];
    for (const [attempt, message] of refusals) {
      expect(attempt).toThrow(InvalidOptionsError);
      expect(attempt).toThrow(message);
    }
  });
});
