import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../vitest.shared.js';

// The reliability suite is separate from `pnpm test`: run it with `pnpm test:reliability`.
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'reliability',
    include: ['src/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    reporters: ['default'],
    globalSetup: ['src/global-setup.ts'],
  },
});
