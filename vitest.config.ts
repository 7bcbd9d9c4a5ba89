import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'packages/redis/vitest.cluster.config.ts', 'apps/*/vitest.config.ts', 'bench/vitest.config.ts'],
  },
});
