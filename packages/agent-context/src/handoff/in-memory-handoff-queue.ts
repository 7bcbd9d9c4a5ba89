import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import type { HandoffDelivery, HandoffQueue, HandoffTask } from './handoff-queue.js';
import { assertWellFormedName } from '../data/assert-well-formed-name.js';
import { copyPlainData } from '../data/copy-plain-data.js';

/**
 * The {@link HandoffQueue} of one process: a FIFO per target agent. A failed task is dropped (this
 * queue does not retry; the BullMQ queue in `@tta/redis` does).
 *
 * @example
 * ```ts
 * const queue = new InMemoryHandoffQueue();
 * const handoff = new AgentHandoffPrimitive({ to: coder, strategy: 'queued', queue });
 * ```
 */
export class InMemoryHandoffQueue implements HandoffQueue {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly queues = new Map<string, HandoffTask[]>();

  enqueue(task: HandoffTask): Promise<void> {
    if (typeof task !== 'object' || task === null) return Promise.reject(new InvalidInputError('HandoffQueue.enqueue', `task must be an object (got ${describeValue(task)})`));
    if (typeof task.to !== 'string' || task.to.length === 0) {
      return Promise.reject(new InvalidInputError('HandoffQueue.enqueue', `task.to must be a non-empty agent id (got ${describeValue(task.to)})`));
    }
    let copy: HandoffTask;
    try {
      assertWellFormedName('HandoffQueue.enqueue', 'task.to', task.to);
      // The network queue's rule (JSON): both queues hand back the same tasks and refuse the same.
      copy = copyPlainData('HandoffQueue.enqueue', 'the task', task);
    } catch (error) {
      return Promise.reject(error);
    }
    let queue = this.queues.get(task.to);
    if (queue === undefined) this.queues.set(task.to, (queue = []));
    queue.push(copy);
    return Promise.resolve();
  }

  take(agentId: string): Promise<HandoffDelivery | undefined> {
    try {
      assertWellFormedName('HandoffQueue.take', 'agent id', agentId, { allowEmpty: true });
    } catch (error) {
      return Promise.reject(error);
    }
    const queue = this.queues.get(agentId);
    const task = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.queues.delete(agentId);
    if (task === undefined) return Promise.resolve(undefined);
    return Promise.resolve({ task, complete: () => Promise.resolve(), fail: () => Promise.resolve() });
  }

  size(agentId: string): Promise<number> {
    try {
      assertWellFormedName('HandoffQueue.size', 'agent id', agentId, { allowEmpty: true });
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(this.queues.get(agentId)?.length ?? 0);
  }
}
