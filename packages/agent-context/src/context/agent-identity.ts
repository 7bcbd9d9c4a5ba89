/** Who an agent is. Plain data, so it can cross a queue or a process boundary. */
export interface AgentIdentity {
  /** Unique id, used as the address of its inbox and queue. */
  readonly id: string;
  /** What the agent does, for example `'planner'` or `'reviewer'`. */
  readonly role: string;
  /** What the agent can do, for routing and checks. @default [] */
  readonly capabilities?: readonly string[];
}

/** How control moved from one agent to another. */
export type TransitionKind = 'start' | 'handoff' | 'queued-handoff' | 'coordination';

/** One entry of an agent context's history. */
export interface HandoffRecord {
  /** Agent id that handed over; absent for the first agent of a run. */
  readonly from?: string;
  /** Agent id that took over. */
  readonly to: string;
  /** Epoch ms (context clock), a whole number (the clock reading rounded down). */
  readonly at: number;
  readonly kind: TransitionKind;
  /** Why, when the caller said. */
  readonly reason?: string;
}
