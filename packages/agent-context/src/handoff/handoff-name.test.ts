import { afterEach, describe, expect, it } from 'vitest';
import { WorkflowContext, metrics, InvalidOptionsError } from '@tta/primitives';
import { AgentHandoffPrimitive } from './agent-handoff-primitive.js';
import { defineAgent } from '../context/define-agent.js';

const coder = defineAgent({ id: 'coder', role: 'engineer' }, (task: string) => `code for ${task}`);
const reviewer = defineAgent({ id: 'reviewer', role: 'reviewer' }, (task: string) => `review of ${task}`);

afterEach(() => metrics.reset());

describe('AgentHandoffPrimitive name', () => {
  it('is named after the target agent when unnamed', () => {
    expect(new AgentHandoffPrimitive({ to: coder }).name).toBe('agent-handoff(coder)');
    expect(new AgentHandoffPrimitive({ to: coder }).kind).toBe('agent-handoff');
  });

  it('keeps an inherited instrument: false when it defaults the name', () => {
    const handoff = new AgentHandoffPrimitive(Object.assign(Object.create({ instrument: false }) as { instrument: boolean }, { to: coder }));
    expect(handoff.instrument).toBe(false);
    expect(handoff.name).toBe('agent-handoff(coder)');
  });

  it('keeps a given name', () => {
    expect(new AgentHandoffPrimitive({ to: coder, name: 'to-the-coder' }).name).toBe('to-the-coder');
  });

  it('gives handoffs to different agents separate metrics entries', async () => {
    const context = new WorkflowContext();
    await new AgentHandoffPrimitive({ to: coder }).execute(context, 'login page');
    await new AgentHandoffPrimitive({ to: reviewer }).execute(context, 'login page');
    const snapshot = metrics.snapshot();
    expect(snapshot['agent-handoff(coder)']).toMatchObject({ count: 1, successes: 1 });
    expect(snapshot['agent-handoff(reviewer)']).toMatchObject({ count: 1, successes: 1 });
    expect(snapshot['agent-handoff']).toBeUndefined();
  });

  it('still refuses a target that is not an agent definition with InvalidOptionsError', () => {
    expect(() => new AgentHandoffPrimitive({ to: { agent: { id: 7 } } } as never)).toThrow(InvalidOptionsError);
    expect(() => new AgentHandoffPrimitive(null as never)).toThrow(InvalidOptionsError);
  });
});
