// Benchmarks of durable runs (not timed tests): resume of a run with 1,000 completed steps, and 10,000
// concurrent runs on MemoryRunStore without unbounded growth (the journal cost per step is measured by
// `pnpm --filter @tta/bench bench:durable`). Imports the built package (dist).
// Usage: pnpm --filter @tta/durable build && node --expose-gc packages/durable/bench/durable-bench.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { SequentialPrimitive, step } from '@tta/primitives';
import { FileRunStore, MemoryRunStore, durable, waitFor } from '@tta/durable';

const gc = () => globalThis.gc?.();
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
};

const rows = [];
const dir = mkdtempSync(join(tmpdir(), 'tta-durable-bench-'));
try {
  // 1. Resume of a run whose 1,000 steps completed before it suspended.
  for (const [label, makeStore] of [
    ['MemoryRunStore', () => new MemoryRunStore()],
    ['FileRunStore', () => new FileRunStore({ dir: join(dir, 'resume') })],
  ]) {
    let calls = 0;
    const steps = Array.from({ length: 1_000 }, (_, index) => step(`s${index}`, (input) => (calls++, input + 1)));
    const flow = durable(new SequentialPrimitive([...steps, waitFor('done')], { name: 'long' }), { name: 'long', store: makeStore() });
    await flow.start(0, { runId: 'long-run' });
    const callsBefore = calls;
    const started = performance.now();
    const outcome = await flow.resume('long-run', { value: 'ok' });
    const elapsed = performance.now() - started;
    if (outcome.status !== 'completed' || calls !== callsBefore) throw new Error('resume called a completed step again');
    rows.push([`resume of 1,000 completed steps, ${label}`, `${elapsed.toFixed(1)} ms`, '', 'no step called again']);
  }

  // 2. 10,000 concurrent runs on MemoryRunStore, three waves: the heap must not grow wave after wave.
  const store = new MemoryRunStore({ maxFinishedRuns: 10_000 });
  const flow = durable(new SequentialPrimitive([step('a', (x) => x + 1), waitFor('go'), step('b', (x) => x)], { name: 'many' }), { name: 'many', store });
  const baseline = heapMb();
  const waves = [];
  for (let wave = 0; wave < 3; wave++) {
    const started = performance.now();
    const ids = Array.from({ length: 10_000 }, (_, index) => `w${wave}-${index}`);
    await Promise.all(ids.map((runId) => flow.start(1, { runId })));
    const suspendedHeap = heapMb();
    await Promise.all(ids.map((runId) => flow.resume(runId, { value: 2 })));
    waves.push({ ms: performance.now() - started, suspendedHeap, after: heapMb() });
  }
  for (const [index, wave] of waves.entries()) {
    rows.push([`10,000 concurrent runs, wave ${index + 1} (start, suspend, resume)`, `${wave.ms.toFixed(0)} ms`, `${(wave.suspendedHeap - baseline).toFixed(1)} MB with 10,000 suspended, ${(wave.after - baseline).toFixed(1)} MB after`, 'MemoryRunStore keeps at most 10,000 finished runs']);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

process.stdout.write('| measure | time | memory (heap over the baseline) | note |\n|---|---|---|---|\n');
for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
