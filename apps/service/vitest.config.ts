import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

const modelProvider = fileURLToPath(new URL('../model-provider/src/index.ts', import.meta.url));

export default defineProject({
  resolve: { alias: [...workspaceAliases, { find: /^@tta-apps\/model-provider$/, replacement: modelProvider }] },
  test: { name: 'service', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 240_000 },
});
