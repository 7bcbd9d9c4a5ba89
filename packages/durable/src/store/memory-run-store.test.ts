import { describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { describeRunStoreContract } from '../testing/index.js';
import { MemoryRunStore } from './memory-run-store.js';

describeRunStoreContract('MemoryRunStore', async ({ clock, retentionMs }) => new MemoryRunStore({ clock, retentionMs }));

describe('MemoryRunStore', () => {
  const header = (runId: string) => ({ runId, name: 'bulk', fingerprint: 'f', createdAt: 0, input: null });

  it('keeps at most maxFinishedRuns finished runs, removing the longest-finished first, and never a running one', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryRunStore({ clock, maxFinishedRuns: 3 });
    for (let index = 0; index < 6; index++) {
      await store.createRun(header(`run-${index}`));
      if (index === 5) continue;
      clock.advance(1);
      await store.setStatus(`run-${index}`, undefined, { status: 'completed', output: index });
    }
    const kept = (await store.listRuns({ limit: 100 })).map((run) => run.runId).sort();
    expect(kept).toEqual(['run-2', 'run-3', 'run-4', 'run-5']);
  });

  it('holds bounded memory through 10,000 finished runs', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryRunStore({ clock, maxFinishedRuns: 100 });
    for (let index = 0; index < 10_000; index++) {
      const runId = `run-${index}`;
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'w', 1_000))!;
      await store.appendStep(runId, token, { path: 'a', name: 'a', kind: 'step', status: 'completed', output: 'x'.repeat(100), startedAt: 0, endedAt: 0 });
      await store.setStatus(runId, token, { status: 'completed', output: index });
    }
    expect(await store.listRuns({ limit: 1_000 })).toHaveLength(100);
  });

  it('refuses bad options with InvalidOptionsError naming the option', () => {
    expect(() => new MemoryRunStore({ retentionMs: 0 })).toThrow(/retentionMs/);
    expect(() => new MemoryRunStore({ maxFinishedRuns: 0 })).toThrow(/maxFinishedRuns/);
    expect(() => new MemoryRunStore({ clock: {} as never })).toThrow(/clock/);
    expect(() => new MemoryRunStore({ retention: 5 } as never)).toThrow(/retention/);
  });
});
