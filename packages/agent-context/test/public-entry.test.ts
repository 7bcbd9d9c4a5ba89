import { describe, expect, it } from 'vitest';
import * as agentContext from '@tta/agent-context';

describe('@tta/agent-context public entry', () => {
  it('exports the agents, stores and the helpers store implementers share, not the coordination and memory internals', () => {
    const names = Object.keys(agentContext);
    for (const internal of ['deepEqual', 'stableStringify', 'selectMemories', 'validateWithSchema']) {
      expect(names).not.toContain(internal);
    }
    for (const api of ['AgentContext', 'InMemorySharedState', 'AgentHandoffPrimitive', 'AgentCoordinationPrimitive', 'StateConflictError', 'copyPlainData', 'assertWellFormedName']) {
      expect(names).toContain(api);
    }
  });
});
