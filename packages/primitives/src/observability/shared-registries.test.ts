import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as copyA from '../index.js';
import * as instrumentationA from '../instrumentation/index.js';
import type { ExecutionInfo } from '../instrumentation/index.js';

// A copy of the sources in another folder is a second, independent module graph, as an app gets
// when two versions of @tta/primitives end up in its node_modules.
const secondCopyFolder = mkdtempSync(join(tmpdir(), 'tta-second-copy-'));
cpSync(join(import.meta.dirname, '..'), secondCopyFolder, { recursive: true, filter: (source) => !/\.test(-d)?\.ts$/.test(source) });
afterAll(() => rmSync(secondCopyFolder, { recursive: true, force: true }));

async function loadSecondCopy(): Promise<{ main: typeof copyA; instrumentation: typeof instrumentationA }> {
  const mainUrl = pathToFileURL(join(secondCopyFolder, 'index.ts')).href;
  const instrumentationUrl = pathToFileURL(join(secondCopyFolder, 'instrumentation', 'index.ts')).href;
  return {
    main: (await import(/* @vite-ignore */ mainUrl)) as typeof copyA,
    instrumentation: (await import(/* @vite-ignore */ instrumentationUrl)) as typeof instrumentationA,
  };
}

describe('two copies of @tta/primitives in one process', () => {
  const disposers: Array<{ dispose(): void }> = [];
  afterEach(() => {
    for (const disposer of disposers.splice(0)) disposer.dispose();
  });

  it('loads a second copy whose classes are distinct from the first', async () => {
    const copyB = await loadSecondCopy();
    expect(copyB.main.TimeoutError).not.toBe(copyA.TimeoutError);
  });

  it('an instrumentation registered through one copy sees executions of the other copy', async () => {
    const copyB = await loadSecondCopy();
    const seen: string[] = [];
    disposers.push(instrumentationA.registerInstrumentation({ onStart: (execution: ExecutionInfo) => seen.push(execution.name) }));
    await copyB.main.step('in-copy-b', (input: number) => input + 1).execute(new copyB.main.WorkflowContext(), 1);
    expect(seen).toEqual(['in-copy-b']);
    expect(copyB.instrumentation.getInstrumentations()).toEqual(instrumentationA.getInstrumentations());
  });

  it('both copies record into the same built-in metrics', async () => {
    const copyB = await loadSecondCopy();
    expect(copyB.main.metrics).toBe(copyA.metrics);
  });

  it('isInstance of one copy accepts the other copy’s errors', async () => {
    const copyB = await loadSecondCopy();
    expect(copyA.TimeoutError.isInstance(new copyB.main.TimeoutError())).toBe(true);
    expect(copyB.main.TtaError.isInstance(new copyA.BrokenCircuitError())).toBe(true);
  });
});
