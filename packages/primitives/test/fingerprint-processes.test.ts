// The fingerprint a durable run records in one process must match the one computed when another
// process resumes it. The child processes import the built package (dist): the root `pnpm test`
// builds it first.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as primitives from '@tta/primitives';
import { exampleWorkflow } from './fixtures/example-workflow.mjs';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./fixtures/print-fingerprint.mjs', import.meta.url));

describe('fingerprint across processes', () => {
  it('is identical in two separate Node processes and in this one', async () => {
    if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
      throw new Error('@tta/primitives is not built: run `pnpm --filter @tta/primitives build` (the root `pnpm test` does it) first');
    }
    const [first, second] = await Promise.all([run(process.execPath, [script]), run(process.execPath, [script])]);
    const expected = primitives.fingerprint(exampleWorkflow(primitives));
    expect(first.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(second.stdout.trim()).toBe(first.stdout.trim());
    expect(first.stdout.trim(), 'the child processes run the build: rebuild with `pnpm --filter @tta/primitives build` if it is stale').toBe(expected);
  });
});
