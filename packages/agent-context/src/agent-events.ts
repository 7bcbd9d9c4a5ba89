import type { HandoffEvent } from './handoff/agent-handoff-primitive.js';
import type { AgentOutcome } from './coordination/agent-coordination-primitive.js';

/** Reported through the instrumentation seam each time one agent of a coordination settles. */
export interface AgentSettledEvent {
  readonly agentId: string;
  readonly status: AgentOutcome<unknown>['status'];
  readonly durationMs: number;
}

// The events this package reports join the toolkit's typed union, so an instrumentation's
// `switch (event.type)` narrows to them like to the core primitives' events.
declare module '@tta/primitives/instrumentation' {
  interface PrimitiveEventMap {
    readonly handoff: HandoffEvent;
    readonly 'agent-settled': AgentSettledEvent;
  }
}
