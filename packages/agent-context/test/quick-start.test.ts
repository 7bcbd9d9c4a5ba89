import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { WorkflowContext } from '@tta/primitives';
import { AgentContext, AgentCoordinationPrimitive, AgentHandoffPrimitive, defineAgent, stateKey } from '@tta/agent-context';

// The README quick start, with deterministic stand-ins for the model calls.
const callModel = async (_prompt: string, _signal: AbortSignal): Promise<string[]> => ['design', 'build', 'test'];
const reviewWith = async (id: string, steps: string[], _signal: AbortSignal): Promise<string> => (id === 'llama' ? 'revise' : `approve ${steps.length}`);

describe('README quick start', () => {
  it('plans, hands over to a voting review panel, and keeps one correlation id', async () => {
    const Plan = z.object({ steps: z.array(z.string()).min(1) });
    const plan = stateKey('plan', { schema: Plan });

    const planner = defineAgent({ id: 'planner', role: 'planner' }, async (goal: string, context) => {
      const steps = await callModel(`Plan: ${goal}`, context.signal);
      await context.blackboard.set(plan, { steps });
      return steps;
    });
    const reviewers = ['gpt', 'claude', 'llama'].map((id) =>
      defineAgent({ id, role: 'reviewer' }, (steps: string[], context) => reviewWith(id, steps, context.signal)),
    );

    const review = new AgentCoordinationPrimitive({ agents: reviewers, strategy: 'vote', timeoutMs: 20_000 });
    const toReview = new AgentHandoffPrimitive({ to: defineAgent({ id: 'review-panel', role: 'reviewer' }, review) });

    const context = AgentContext.create({ workflow: WorkflowContext.create({ correlationId: 'run-1' }), agent: { id: 'gateway', role: 'http' } });
    const steps = await planner.primitive.execute(context, 'Ship the login page');
    const outcome = await toReview.execute(context, steps);

    expect(outcome.status).toBe('completed');
    if (outcome.status !== 'completed') return;
    expect(outcome.output.value).toBe('approve 3');
    expect(outcome.output.tally).toEqual({ 'approve 3': 2, revise: 1 });
    const stored = await context.blackboard.read(plan);
    expect(stored).toMatchObject({ value: { steps: ['design', 'build', 'test'] }, updatedBy: 'planner', scopeId: 'run-1' });
  });
});
