import { describe, expect, it } from 'vitest';
import { step } from '@tta/primitives';
import { AgentCoordinationPrimitive, AgentHandoffPrimitive, defineAgent } from '@tta/agent-context';

describe('agent composites list the agents they run', () => {
  const planner = defineAgent({ id: 'planner', role: 'planner' }, step('plan', (task: string) => `plan for ${task}`));
  const critic = defineAgent({ id: 'critic', role: 'reviewer' }, step('critique', (task: string) => `critique of ${task}`));

  it('labels each coordinated agent with its id, in the order given', () => {
    const panel = new AgentCoordinationPrimitive({ agents: [planner, critic], strategy: 'aggregate' });
    expect(panel._children().map((child) => ({ label: child.label, name: child.primitive.name }))).toEqual([
      { label: 'planner', name: 'plan' },
      { label: 'critic', name: 'critique' },
    ]);
  });

  it('labels the target of a handoff with its id', () => {
    const toCritic = new AgentHandoffPrimitive({ to: critic });
    expect(toCritic._children()).toEqual([{ label: 'critic', primitive: critic.primitive }]);
  });
});
