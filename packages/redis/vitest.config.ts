import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

const agentContextTesting = fileURLToPath(new URL('../agent-context/src/testing/index.ts', import.meta.url));

export default defineProject({
  resolve: {
    // The behaviour suites of @tta/agent-context run against the Redis stores, from source.
    alias: [{ find: /^@tta\/agent-context\/testing$/, replacement: agentContextTesting }, ...workspaceAliases],
  },
  test: {
    name: 'redis',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start redis-server and Node processes; keep a margin on a busy 2-core box.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
