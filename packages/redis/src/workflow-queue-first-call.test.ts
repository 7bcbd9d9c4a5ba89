import { describe, expect, it } from 'vitest';
import { createRedisConnection } from './connection.js';
import { createWorkflowQueue, enqueueWorkflow } from './enqueue-workflow.js';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

// A server of its own: the queue's very first contact with Redis must be the one that fails.
describe.skipIf(!runRedisSuites)('createWorkflowQueue whose first call fails', () => {
  const redis = useRedisServer();

  it('keeps working after its first enqueue timed out during CLIENT PAUSE', async () => {
    // A client that is connected already, so its command timeout applies to every command it sends;
    // the pause starts before the queue exists: its start-up and its first add both meet it.
    const client = createRedisConnection({ ...redis.connection, commandTimeoutMs: 200 });
    await client.ping();
    await redis.client.call('CLIENT', 'PAUSE', '500', 'ALL');
    const queue = createWorkflowQueue({ connection: client, prefix: redis.uniquePrefix('first-call'), workflows: ['work'] });
    try {
      const error = await enqueueWorkflow(queue, 'work', 1, { jobId: 'job-1' }).catch((caught: unknown) => caught);
      expect(RedisUnavailableError.isInstance(error), String(error)).toBe(true);
      expect((error as RedisUnavailableError).retryKey).toBe('job-1');
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The documented retry with the same id: the job once, whether the first add landed or not.
      await expect(enqueueWorkflow(queue, 'work', 1, { jobId: 'job-1' })).resolves.toMatchObject({ id: 'job-1' });
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await redis.client.call('CLIENT', 'UNPAUSE');
      await queue.close();
      client.disconnect();
    }
  });
});
