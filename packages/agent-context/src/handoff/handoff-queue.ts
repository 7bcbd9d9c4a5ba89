import type { HandoffRecord } from '../context/agent-identity.js';

/**
 * Work handed to an agent that will run later, possibly in another process. Plain JSON data: every
 * queue refuses, with `InvalidInputError`, a task that a JSON round trip would change (`Date`,
 * `Map`, `NaN`, BigInt... in its input or data; see `copyPlainData`) and an agent id with a lone
 * surrogate.
 */
export interface HandoffTask<TInput = unknown> {
  /** Unique id. */
  readonly id: string;
  /** Agent id that handed over; absent when the handoff started outside any agent. */
  readonly from?: string;
  /** Agent id that must run it. */
  readonly to: string;
  readonly input: TInput;
  /** Correlation id of the run: the target continues the same run. */
  readonly correlationId: string;
  /** Session of the run, when it has one. */
  readonly sessionId?: string;
  /** The context data passed on (all of it, none, or the chosen keys: see `preserveContext`). */
  readonly data: Readonly<Record<string, unknown>>;
  /** Transitions so far, including this handoff. */
  readonly history: readonly HandoffRecord[];
  /** Epoch ms when it was queued. */
  readonly enqueuedAt: number;
  readonly reason?: string;
}

/** A task taken from a queue; say how it ended so that the queue can finish or retry it. */
export interface HandoffDelivery<TInput = unknown> {
  readonly task: HandoffTask<TInput>;
  /** The target ran it successfully. */
  complete(): Promise<void>;
  /** The target failed; the queue may retry it by its own policy (the in-memory queue drops it). */
  fail(error: unknown): Promise<void>;
}

/**
 * Where `queued` handoffs wait for their target agent. One FIFO per target agent id. Every method
 * is async so that a network queue (the BullMQ one in `@tta/redis`) fits. Checked by
 * `describeHandoffQueueContract` from `@tta/agent-context/testing`.
 */
export interface HandoffQueue {
  /** The version of this interface the implementation was written against; this release supports 1. */
  readonly specificationVersion: 1;
  /** Adds a task to the queue of `task.to`. */
  enqueue(task: HandoffTask): Promise<void>;
  /** Takes the oldest waiting task for `agentId`, or undefined when none waits. */
  take(agentId: string): Promise<HandoffDelivery | undefined>;
  /** Number of tasks waiting for `agentId` (taken ones excluded). */
  size(agentId: string): Promise<number>;
}
