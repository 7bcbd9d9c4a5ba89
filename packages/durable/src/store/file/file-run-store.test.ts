import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { describeRunStoreContract } from '../../testing/index.js';
import { FileRunStore } from './file-run-store.js';

const root = await mkdtemp(join(tmpdir(), 'tta-file-run-store-'));
afterAll(() => rm(root, { recursive: true, force: true }));

let sequence = 0;
describeRunStoreContract('FileRunStore', async ({ clock, retentionMs }) => new FileRunStore({ dir: join(root, `contract-${++sequence}`), clock, retentionMs }));

describe('FileRunStore on disk', () => {
  const header = (runId: string) => ({ runId, name: 'disk', fingerprint: 'f', createdAt: 0, input: null });

  it('removes the directories of runs past their retention while new runs are created, without a read or a listing', async () => {
    const clock = new ManualClock(1_000_000);
    const dir = join(root, `sweep-${++sequence}`);
    const store = new FileRunStore({ dir, clock, retentionMs: 60_000 });
    for (const runId of ['done-1', 'done-2', 'waiting']) {
      await store.createRun(header(runId));
      await store.setStatus(runId, undefined, runId === 'waiting' ? { status: 'suspended', waitingFor: { name: 'w', path: 'w', payload: null } } : { status: 'completed', output: 1 });
    }
    expect(await readdir(join(dir, 'runs'))).toHaveLength(3);
    clock.advance(60_000);
    await store.createRun(header('fresh'));
    expect((await readdir(join(dir, 'runs'))).sort()).toEqual(['fresh', 'waiting']);
  });

  it('treats a lease file cut short by a power loss as expired, so the run can be taken over', async () => {
    const dir = join(root, `torn-lease-${++sequence}`);
    const store = new FileRunStore({ dir });
    await store.createRun(header('r'));
    expect(await store.acquireLease('r', 'first', 60_000)).toBeTypeOf('string');
    const [leaseFile] = (await readdir(join(dir, 'runs', 'r'))).filter((name) => name.startsWith('lease-'));
    await writeFile(join(dir, 'runs', 'r', leaseFile!), '{"generation":1,"tok');
    expect(await new FileRunStore({ dir }).acquireLease('r', 'second', 60_000)).toBeTypeOf('string');
  });

  it('refuses bad options with InvalidOptionsError naming the option', () => {
    expect(() => new FileRunStore({ dir: '' })).toThrow(/dir/);
    expect(() => new FileRunStore({} as never)).toThrow(/dir/);
    expect(() => new FileRunStore({ dir: root, retentionMs: 0 })).toThrow(/retentionMs/);
    expect(() => new FileRunStore({ dir: root, clock: {} as never })).toThrow(/clock/);
    expect(() => new FileRunStore({ dir: root, retention: 1 } as never)).toThrow(/retention/);
  });
});
