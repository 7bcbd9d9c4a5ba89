import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expectNoTimerLeaks } from './test-support/timer-leak-check.js';

afterEach(() => expectNoTimerLeaks());

// Every runnable example of docs/primitives/flow.md (a `ts` block with an import) runs here, so the
// page cannot drift from the code.
const page = fileURLToPath(new URL('../../../../docs/primitives/flow.md', import.meta.url));
// Inside the package's node_modules so that bare imports (zod) resolve as they do for the package.
const scratch = fileURLToPath(new URL('../../node_modules/.cache/flow-docs/', import.meta.url));

const examples = [...readFileSync(page, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((match) => match[1]!)
  .filter((code) => /^import /m.test(code));

beforeAll(() => mkdirSync(scratch, { recursive: true }));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docs/primitives/flow.md', () => {
  it('has runnable examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((code, index) => [index + 1, code.split('\n').find((line) => line.includes('@tta/primitives'))!, code] as const))(
    'example %i runs (%s)',
    async (index, _imports, code) => {
      const file = `${scratch}example-${index}.ts`;
      writeFileSync(file, code);
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await import(pathToFileURL(file).href);
        expect(log).toHaveBeenCalled();
      } finally {
        log.mockRestore();
      }
    },
  );
});
