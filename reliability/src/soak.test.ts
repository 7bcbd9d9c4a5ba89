// Soak: one million mixed workflow executions in one process. Heap after GC stays flat, nothing is
// left active (timers, sockets, listeners), and no rejection goes unhandled.
import { describe, expect, it } from 'vitest';
import {
  WorkflowContext,
  cache,
  fallback,
  metrics,
  parallel,
  retry,
  sequential,
  step,
  timeout,
  type AnyPrimitive,
} from '@tta/primitives';
import { InjectedFaultError, failWithProbability } from '@tta/primitives/testing';
import { activeResources, newResources, settledHeapBytes, trackUnhandledRejections } from './leak-probe.js';
import { record } from './figures.js';

const executions = Number(process.env['TTA_SOAK_EXECUTIONS'] ?? 1_000_000);
const batchSize = 1_000;

const add = step('add', (value: number) => value + 1);
const double = step('double', async (value: number) => value * 2);
const text = step('text', (value: number) => `v${value}`);

const workflows: Array<{ name: string; primitive: AnyPrimitive; expectedFailures: boolean }> = [
  { name: 'sequential', primitive: sequential(add, double, add), expectedFailures: false },
  { name: 'parallel', primitive: parallel(add, double, text).pipe(step('join', ([a, b, c]: [number, number, string]) => `${a}/${b}/${c}`)), expectedFailures: false },
  { name: 'retry', primitive: retry(failWithProbability(0.3, double, { seed: 11 }), { maxAttempts: 4, initialDelayMs: 0, jitter: 'none' }), expectedFailures: true },
  { name: 'cache', primitive: cache(add.pipe(double), { key: (value: number) => String(value % 100), ttlMs: 60_000, maxEntries: 50 }), expectedFailures: false },
  { name: 'timeout', primitive: timeout(double, { timeoutMs: 5_000 }), expectedFailures: false },
  { name: 'fallback', primitive: fallback(failWithProbability(0.5, add, { seed: 5 }), [double]), expectedFailures: false },
  { name: 'timeout-retry-parallel', primitive: timeout(retry(parallel(failWithProbability(0.1, add, { seed: 3 }), double), { maxAttempts: 3, initialDelayMs: 0, jitter: 'none' }), { timeoutMs: 5_000 }), expectedFailures: true },
];

async function runBatch(offset: number, size: number, outcome: { ok: number; injected: number }): Promise<void> {
  const runs: Promise<void>[] = [];
  for (let index = 0; index < size; index++) {
    const { primitive, name, expectedFailures } = workflows[(offset + index) % workflows.length]!;
    runs.push(
      primitive.execute(new WorkflowContext({ correlationId: 'soak' }), offset + index).then(
        () => void outcome.ok++,
        (error: unknown) => {
          if (expectedFailures && InjectedFaultError.isInstance(error)) outcome.injected++;
          else throw new Error(`workflow ${name} failed unexpectedly`, { cause: error });
        },
      ),
    );
  }
  await Promise.all(runs);
}

describe('soak', () => {
  it(`runs ${executions.toLocaleString('en')} mixed executions with a flat heap and nothing left behind`, async () => {
    metrics.reset();
    const outcome = { ok: 0, injected: 0 };
    // Warm up the JIT and the caches so that the baseline is not taken from a cold process.
    for (let offset = 0; offset < 20_000; offset += batchSize) await runBatch(offset, batchSize, outcome);
    const baselineResources = activeResources();
    const heapStart = await settledHeapBytes();
    const started = performance.now();
    const { unhandled } = await trackUnhandledRejections(async () => {
      for (let offset = 0; offset < executions; offset += batchSize) await runBatch(offset, Math.min(batchSize, executions - offset), outcome);
    });
    const seconds = (performance.now() - started) / 1000;
    const heapEnd = await settledHeapBytes();
    const leftovers = newResources(baselineResources);

    record('soakExecutions', executions);
    record('soakSeconds', Number(seconds.toFixed(1)));
    record('soakHeapStartMiB', Number((heapStart / 2 ** 20).toFixed(2)));
    record('soakHeapEndMiB', Number((heapEnd / 2 ** 20).toFixed(2)));
    record('soakInjectedFailuresSurfaced', outcome.injected);
    record('soakLeakedResources', Object.keys(leftovers).length);
    record('soakUnhandledRejections', unhandled.length);

    expect(unhandled).toEqual([]);
    expect(leftovers).toEqual({});
    expect(outcome.ok + outcome.injected).toBe(executions + 20_000);
    // Flat: the heap may move by a few MiB (JIT, metrics histograms) but must not grow with the run.
    expect(heapEnd - heapStart).toBeLessThan(8 * 2 ** 20);
    expect(metrics.snapshot()['double']?.count).toBeGreaterThan(executions / 10);
  });
});
