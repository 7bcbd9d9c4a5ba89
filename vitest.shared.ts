// Shared vitest settings: workspace packages resolve to their TypeScript sources,
// so tests run without a prior build.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = (path: string): string => `${root}packages/${path}`;

export const workspaceAliases = [
  { find: /^@tta\/agent-context\/testing$/, replacement: src('agent-context/src/testing/index.ts') },
  { find: /^@tta\/primitives\/testing$/, replacement: src('primitives/src/testing/index.ts') },
  { find: /^@tta\/primitives\/instrumentation$/, replacement: src('primitives/src/instrumentation/index.ts') },
  { find: /^@tta\/primitives\/logging$/, replacement: src('primitives/src/logging/index.ts') },
  { find: /^@tta\/primitives$/, replacement: src('primitives/src/index.ts') },
  { find: /^@tta\/observability$/, replacement: src('observability/src/index.ts') },
  { find: /^@tta\/agent-context$/, replacement: src('agent-context/src/index.ts') },
  { find: /^@tta\/keploy-testing\/vitest$/, replacement: src('keploy-testing/src/vitest.ts') },
  { find: /^@tta\/keploy-testing$/, replacement: src('keploy-testing/src/index.ts') },
  { find: /^@tta\/durable\/testing$/, replacement: src('durable/src/testing/index.ts') },
  { find: /^@tta\/durable$/, replacement: src('durable/src/index.ts') },
  { find: /^@tta\/redis\/durable$/, replacement: src('redis/src/durable/index.ts') },
  { find: /^@tta\/redis$/, replacement: src('redis/src/index.ts') },
  { find: /^@tta\/models$/, replacement: src('models/src/index.ts') },
  { find: /^@tta\/devtools$/, replacement: src('devtools/src/index.ts') },
];
