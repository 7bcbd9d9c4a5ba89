import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

const agentContextTesting = fileURLToPath(new URL('../agent-context/src/testing/index.ts', import.meta.url));

// The store suites again, each file on its own three-master Redis Cluster (see test-support/use-redis.ts):
// every multi-key command and Lua script they run must stay in one hash slot, or the cluster refuses it
// with CROSSSLOT and the test fails.
export default defineProject({
  resolve: {
    alias: [{ find: /^@tta\/agent-context\/testing$/, replacement: agentContextTesting }, ...workspaceAliases],
  },
  test: {
    name: 'redis-cluster',
    include: [
      'src/redis-cache-store.test.ts',
      'src/redis-shared-state.test.ts',
      'src/redis-agent-memory.test.ts',
      'src/redis-mailbox.test.ts',
      'src/redis-handoff-queue.test.ts',
      'src/redis-circuit-state-store.test.ts',
      'src/redis-rate-limiter.test.ts',
      'src/redis-lease.test.ts',
      'src/worker-pool.test.ts',
      'src/worker-pool-durable.test.ts',
      'src/durable/redis-run-store.test.ts',
      'src/durable/redis-durable-engine.test.ts',
      'test/integration/cross-process.test.ts',
      'test/integration/durable-worker-pool.test.ts',
    ],
    env: { TTA_REDIS_TOPOLOGY: 'cluster' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
