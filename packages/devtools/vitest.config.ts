import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'devtools',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One headless browser per file; starting it takes seconds on a shared machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
