import { describe, it, expect } from 'vitest';
import { InvalidInputError } from '@tta/primitives';
import { InMemoryHandoffQueue } from './in-memory-handoff-queue.js';
import { describeHandoffQueueContract } from '../testing/handoff-queue-suite.js';

describeHandoffQueueContract('InMemoryHandoffQueue', async () => new InMemoryHandoffQueue());

describe('InMemoryHandoffQueue', () => {
  it('refuses a task without a target agent with InvalidInputError', async () => {
    const queue = new InMemoryHandoffQueue();
    await expect(queue.enqueue({ to: '' } as never)).rejects.toThrow(InvalidInputError);
    await expect(queue.enqueue({ to: '' } as never)).rejects.toThrow('HandoffQueue.enqueue: task.to must be a non-empty agent id (got "")');
    await expect(queue.enqueue(null as never)).rejects.toThrow('HandoffQueue.enqueue: task must be an object (got null)');
  });
});
