import { describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import type { RunHeader, RunStore, StepRecord } from '../run-store.js';
import { RunLockedError } from '../errors/run-locked-error.js';
import { RunNotFoundError } from '../errors/run-not-found-error.js';
import { NonSerializableOutputError } from '../errors/non-serializable-output-error.js';

/** What the run-store contract gives the store factory. */
export interface RunStoreContractSetup {
  /** The clock the store must use for every time it stamps or compares (leases, `updatedAt`, retention); the suite moves it. */
  readonly clock: ManualClock;
  /** The store's `retentionMs`. */
  readonly retentionMs: number;
}

let sequence = 0;
const uniqueRunId = (name: string): string => `${name}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;

// Long enough that real time never expires a lease or a run while a test runs: the suite moves the clock.
const leaseMs = 60_000;
const retentionMs = 3_600_000;

const header = (runId: string, overrides: Partial<RunHeader> = {}): RunHeader => ({
  runId,
  name: 'triage',
  fingerprint: 'fp-1',
  createdAt: 1_000,
  input: { ticket: 42, tags: ['a', 'b'] },
  ...overrides,
});

const step = (path: string, output?: unknown, overrides: Partial<StepRecord> = {}): StepRecord => ({
  path,
  name: path.split('/').pop() ?? path,
  kind: 'step',
  status: 'completed',
  ...(output === undefined ? {} : { output }),
  startedAt: 10,
  endedAt: 20,
  ...overrides,
});

const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error('expected a rejection');
  },
  (error: unknown) => error,
);

/**
 * Declares the behaviour every {@link RunStore} must have, as a vitest `describe` block: the header
 * written once, the journal in append order, the lease (exclusive, expiring, taken over, renewed),
 * appends and status changes refused without it, listing, retention, large and unicode values, and
 * concurrent appenders. The factory makes a fresh store on the given clock and retention; the
 * suite uses a new run id in every test, so stores may share their storage.
 *
 * @example
 * ```ts
 * describeRunStoreContract('MemoryRunStore', async ({ clock, retentionMs }) => new MemoryRunStore({ clock, retentionMs }));
 * ```
 */
export function describeRunStoreContract(
  name: string,
  createStore: (setup: RunStoreContractSetup) => Promise<RunStore>,
  cleanup?: (store: RunStore) => Promise<void>,
): void {
  describe(`${name} (RunStore contract)`, () => {
    const withStore = (test: (store: RunStore, clock: ManualClock, runId: string) => Promise<void>) => async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const store = await createStore({ clock, retentionMs });
      try {
        await test(store, clock, uniqueRunId('run'));
      } finally {
        await cleanup?.(store);
      }
    };

    it('declares specification version 1', withStore(async (store) => {
      expect(store.specificationVersion).toBe(1);
    }));

    it('returns undefined for a run never created', withStore(async (store, _clock, runId) => {
      expect(await store.loadRun(runId)).toBeUndefined();
    }));

    it('creates a run once: running, no steps, stamped now; a second create keeps the first header', withStore(async (store, clock, runId) => {
      const first = await store.createRun(header(runId));
      expect(first.created).toBe(true);
      expect(first.state).toEqual({ header: header(runId), status: 'running', updatedAt: clock.now(), steps: [] });
      clock.advance(5);
      const second = await store.createRun(header(runId, { fingerprint: 'fp-2', input: 'other' }));
      expect(second.created).toBe(false);
      expect(second.state.header).toEqual(header(runId));
      expect(await store.loadRun(runId)).toEqual(first.state);
    }));

    it('lets exactly one of 20 concurrent creates of one run id create it', withStore(async (store, _clock, runId) => {
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, index) => store.createRun(header(runId, { input: index }))));
      const created = outcomes.filter((outcome) => outcome.created);
      expect(created).toHaveLength(1);
      for (const outcome of outcomes) expect(outcome.state.header).toEqual(created[0]!.state.header);
    }));

    it('refuses to lease, append to or set the status of a run that does not exist, with RunNotFoundError', withStore(async (store, _clock, runId) => {
      // Each call's rejection is caught as soon as it is made: awaited one after another, a later one
      // could reject first, unhandled.
      for (const caught of [
        rejection(store.acquireLease(runId, 'a', leaseMs)),
        rejection(store.renewLease(runId, 'token', leaseMs)),
        rejection(store.appendStep(runId, 'token', step('a'))),
        rejection(store.setStatus(runId, undefined, { status: 'cancelled' })),
      ]) {
        const error = await caught;
        expect(RunNotFoundError.isInstance(error), String(error)).toBe(true);
        expect(error).toMatchObject({ code: 'RUN_NOT_FOUND', runId });
      }
      await store.releaseLease(runId, 'token');
      await store.deleteRun(runId);
      expect(await store.loadRun(runId)).toBeUndefined();
    }));

    it('appends records in order with every field intact, and moves updatedAt', withStore(async (store, clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      expect(typeof token).toBe('string');
      const records = [
        step('plan', { steps: ['a', 'b'], nested: { deep: [1, null, true] } }),
        step('notify'),
        step('fetch~2#2', 'text', { kind: 'retry', usage: { calls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.25 } }),
        step('review', undefined, { status: 'failed', error: { name: 'TimeoutError', message: 'late', code: 'TIMEOUT', retryable: true, cause: { name: 'Error', message: 'socket' } } }),
        step('approve', undefined, { kind: 'waitFor', status: 'waiting' }),
      ];
      for (const record of records) {
        clock.advance(7);
        await store.appendStep(runId, token, record);
      }
      const state = (await store.loadRun(runId))!;
      expect(state.steps).toEqual(records);
      expect('output' in state.steps[1]!).toBe(false);
      expect(state.updatedAt).toBe(clock.now());
      expect(state.status).toBe('running');
    }));

    it('hands out copies: changing an appended record or a loaded state does not change the run', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      const output = { items: [1, 2] };
      await store.appendStep(runId, token, step('a', output));
      output.items.push(3);
      const loaded = (await store.loadRun(runId))!;
      (loaded.steps[0]!.output as { items: number[] }).items.push(4);
      expect((await store.loadRun(runId))!.steps[0]!.output).toEqual({ items: [1, 2] });
    }));

    it('gives the lease to one owner at a time, and to another once released', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const first = await store.acquireLease(runId, 'worker-1', leaseMs);
      expect(first).toBeTypeOf('string');
      expect(await store.acquireLease(runId, 'worker-2', leaseMs)).toBeUndefined();
      expect(await store.acquireLease(runId, 'worker-1', leaseMs)).toBeUndefined();
      await store.releaseLease(runId, 'not-the-token');
      expect(await store.acquireLease(runId, 'worker-2', leaseMs)).toBeUndefined();
      await store.releaseLease(runId, first!);
      const second = await store.acquireLease(runId, 'worker-2', leaseMs);
      expect(second).toBeTypeOf('string');
      expect(second).not.toBe(first);
    }));

    it('gives the lease to exactly one of 20 concurrent acquirers', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, index) => store.acquireLease(runId, `worker-${index}`, leaseMs)));
      expect(tokens.filter((token) => token !== undefined)).toHaveLength(1);
    }));

    it('lets another owner take an expired lease; the old token can then neither append, renew nor release it', withStore(async (store, clock, runId) => {
      await store.createRun(header(runId));
      const dead = (await store.acquireLease(runId, 'crashed', leaseMs))!;
      clock.advance(leaseMs - 1);
      expect(await store.acquireLease(runId, 'heir', leaseMs)).toBeUndefined();
      clock.advance(1);
      const heir = await store.acquireLease(runId, 'heir', leaseMs);
      expect(heir).toBeTypeOf('string');
      const error = await rejection(store.appendStep(runId, dead, step('late')));
      expect(RunLockedError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'RUN_LOCKED', runId, retryable: true });
      expect(await store.renewLease(runId, dead, leaseMs)).toBe(false);
      await store.releaseLease(runId, dead);
      expect(await store.acquireLease(runId, 'third', leaseMs)).toBeUndefined();
      await store.appendStep(runId, heir!, step('heir'));
      expect((await store.loadRun(runId))!.steps.map((record) => record.path)).toEqual(['heir']);
    }));

    it('extends a renewed lease from the time of renewal, and refuses to renew an expired one', withStore(async (store, clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      clock.advance(leaseMs - 10);
      expect(await store.renewLease(runId, token, leaseMs)).toBe(true);
      clock.advance(leaseMs - 10);
      expect(await store.acquireLease(runId, 'worker-2', leaseMs)).toBeUndefined();
      await store.appendStep(runId, token, step('still-mine'));
      clock.advance(10);
      expect(await store.renewLease(runId, token, leaseMs)).toBe(false);
      expect(await store.acquireLease(runId, 'worker-2', leaseMs)).toBeTypeOf('string');
    }));

    it('refuses an append with a token that does not hold the lease, and keeps the journal as it was', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const noLease = await rejection(store.appendStep(runId, 'forged', step('a')));
      expect(RunLockedError.isInstance(noLease)).toBe(true);
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      await store.appendStep(runId, token, step('a', 1));
      const forged = await rejection(store.appendStep(runId, `${token}x`, step('b', 2)));
      expect(RunLockedError.isInstance(forged)).toBe(true);
      await store.releaseLease(runId, token);
      const released = await rejection(store.appendStep(runId, token, step('c', 3)));
      expect(RunLockedError.isInstance(released)).toBe(true);
      expect((await store.loadRun(runId))!.steps).toEqual([step('a', 1)]);
    }));

    it('records status transitions with what each status carries, and keeps the usage until replaced', withStore(async (store, clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      const usage = { calls: 2, inputTokens: 100, outputTokens: 50, costUsd: 0.5 };
      const waitingFor = { name: 'approval', path: 'review/approval', payload: { draft: 'x' }, expiresAt: 1_800_000_000_000 };
      clock.advance(1);
      await store.setStatus(runId, token, { status: 'suspended', waitingFor, usage });
      let state = (await store.loadRun(runId))!;
      expect(state).toMatchObject({ status: 'suspended', waitingFor, usage, updatedAt: clock.now() });
      clock.advance(1);
      await store.setStatus(runId, token, { status: 'running' });
      state = (await store.loadRun(runId))!;
      expect(state.status).toBe('running');
      expect(state.waitingFor).toBeUndefined();
      expect(state.usage).toEqual(usage);
      const error = { name: 'WorkflowError', message: 'outer', code: 'X', retryable: false, cause: { name: 'TypeError', message: 'inner', cause: { name: 'Error', message: 'root' } } };
      await store.setStatus(runId, token, { status: 'failed', error });
      state = (await store.loadRun(runId))!;
      expect(state).toMatchObject({ status: 'failed', error });
      await store.setStatus(runId, token, { status: 'running' });
      expect((await store.loadRun(runId))!.error).toBeUndefined();
      const finalUsage = { calls: 3, inputTokens: 150, outputTokens: 80, costUsd: 0.75 };
      clock.advance(1);
      await store.setStatus(runId, token, { status: 'completed', output: { answer: 42 }, usage: finalUsage });
      state = (await store.loadRun(runId))!;
      expect(state).toEqual({ header: header(runId), status: 'completed', updatedAt: clock.now(), steps: [], output: { answer: 42 }, usage: finalUsage });
    }));

    it('refuses a status change without a token while a live owner holds the lease, and allows it once the lease is free', withStore(async (store, clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      const error = await rejection(store.setStatus(runId, undefined, { status: 'cancelled' }));
      expect(RunLockedError.isInstance(error)).toBe(true);
      const stale = await rejection(store.setStatus(runId, 'forged', { status: 'cancelled' }));
      expect(RunLockedError.isInstance(stale)).toBe(true);
      expect((await store.loadRun(runId))!.status).toBe('running');
      clock.advance(leaseMs);
      await store.setStatus(runId, undefined, { status: 'cancelled' });
      expect((await store.loadRun(runId))!.status).toBe('cancelled');
      expect(await store.renewLease(runId, token, leaseMs)).toBe(false);
    }));

    it('lists runs by name and status, most recently updated first, up to the limit', withStore(async (store, clock, runId) => {
      const name = `list-${runId}`;
      const ids = [0, 1, 2, 3].map((index) => `${runId}-${index}`);
      for (const id of ids) {
        clock.advance(10);
        await store.createRun(header(id, { name }));
      }
      await store.createRun(header(`${runId}-other`, { name: `${name}-other` }));
      clock.advance(10);
      const token = (await store.acquireLease(ids[0]!, 'w', leaseMs))!;
      await store.setStatus(ids[0]!, token, { status: 'suspended', waitingFor: { name: 'ok', path: 'ok', payload: null } });
      const all = await store.listRuns({ name });
      expect(all.map((run) => run.runId)).toEqual([ids[0], ids[3], ids[2], ids[1]]);
      expect(all[0]).toEqual({ runId: ids[0], name, status: 'suspended', updatedAt: clock.now() });
      expect((await store.listRuns({ name, status: 'running' })).map((run) => run.runId)).toEqual([ids[3], ids[2], ids[1]]);
      expect((await store.listRuns({ name, status: 'suspended' })).map((run) => run.runId)).toEqual([ids[0]]);
      expect((await store.listRuns({ name, limit: 2 })).map((run) => run.runId)).toEqual([ids[0], ids[3]]);
      expect(await store.listRuns({ name, status: 'completed' })).toEqual([]);
      const everything = await store.listRuns({ limit: 1_000 });
      expect(everything.map((run) => run.runId)).toEqual(expect.arrayContaining([...ids, `${runId}-other`]));
    }));

    it('removes completed, failed and cancelled runs retentionMs after they finished, and keeps running and suspended ones', withStore(async (store, clock, runId) => {
      const name = `retention-${runId}`;
      const finished = ['completed', 'failed', 'cancelled'] as const;
      for (const status of [...finished, 'running', 'suspended'] as const) {
        const id = `${runId}-${status}`;
        await store.createRun(header(id, { name }));
        if (status === 'running') continue;
        const token = (await store.acquireLease(id, 'w', leaseMs))!;
        await store.setStatus(id, token, status === 'suspended' ? { status, waitingFor: { name: 'w', path: 'w', payload: 1 } } : { status });
        await store.releaseLease(id, token);
      }
      clock.advance(retentionMs - 1);
      expect(await store.listRuns({ name })).toHaveLength(5);
      for (const status of finished) expect((await store.loadRun(`${runId}-${status}`))?.status).toBe(status);
      clock.advance(1);
      for (const status of finished) expect(await store.loadRun(`${runId}-${status}`)).toBeUndefined();
      expect((await store.listRuns({ name })).map((run) => run.status).sort()).toEqual(['running', 'suspended']);
      expect((await store.createRun(header(`${runId}-completed`, { name }))).created).toBe(true);
    }));

    it('keeps a large output (1 MiB) and unicode in names, paths and values', withStore(async (store, _clock, runId) => {
      const id = `${runId}-naïve-日本語-🚀`;
      const big = 'x'.repeat(1_048_576);
      const unicode = { text: 'Grüße, 世界 🌍 \u2028\u2029 "quoted" \\ \n\t', emoji: '👩‍💻' };
      await store.createRun(header(id, { name: 'flux-λ', input: unicode }));
      const token = (await store.acquireLease(id, 'wörker', leaseMs))!;
      await store.appendStep(id, token, step('résumé/步骤', big));
      await store.appendStep(id, token, step('emoji/🚀', unicode));
      const state = (await store.loadRun(id))!;
      expect(state.header).toEqual(header(id, { name: 'flux-λ', input: unicode }));
      expect((state.steps[0]!.output as string).length).toBe(big.length);
      expect(state.steps[0]!.output === big).toBe(true);
      expect(state.steps[1]).toEqual(step('emoji/🚀', unicode));
      expect((await store.listRuns({ name: 'flux-λ' })).map((run) => run.runId)).toContain(id);
    }));

    it('keeps run ids that look like paths, hold NUL or separators, differ in case, or are very long apart and intact', withStore(async (store, _clock, runId) => {
      const ids = ['../escape', '../../etc/passwd', '/absolute', 'a/b', 'a\\b', 'nul\u0000byte', '.', '..', 'Case', 'case', 'a:b', '{tag}', '%41', 'A', `${runId}-${'long'.repeat(200)}`, `${runId}-${'long'.repeat(200)}!`];
      for (const [index, id] of ids.entries()) {
        const outcome = await store.createRun(header(`${runId}|${id}`, { input: index }));
        expect(outcome.created, id).toBe(true);
      }
      for (const [index, id] of ids.entries()) {
        const state = await store.loadRun(`${runId}|${id}`);
        expect(state?.header.runId, id).toBe(`${runId}|${id}`);
        expect(state?.header.input, id).toBe(index);
      }
      const listed = (await store.listRuns({ name: 'triage', limit: 1_000 })).map((run) => run.runId);
      for (const id of ids) expect(listed).toContain(`${runId}|${id}`);
    }));

    it('keeps every record of concurrent appenders, each appender\'s records in its own order', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      await Promise.all([0, 1, 2, 3, 4].map(async (branch) => {
        for (let index = 0; index < 10; index++) await store.appendStep(runId, token, step(`branch-${branch}#${index}`, { branch, index }));
      }));
      const steps = (await store.loadRun(runId))!.steps;
      expect(steps).toHaveLength(50);
      for (const branch of [0, 1, 2, 3, 4]) {
        const own = steps.filter((record) => record.path.startsWith(`branch-${branch}#`)).map((record) => (record.output as { index: number }).index);
        expect(own).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      }
    }));

    it('refuses a record JSON cannot carry with NonSerializableOutputError naming the path, and appends nothing', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      for (const output of [10n, cyclic]) {
        const error = await rejection(store.appendStep(runId, token, step('plan/draft', output)));
        expect(NonSerializableOutputError.isInstance(error), String(error)).toBe(true);
        expect(error).toMatchObject({ code: 'NON_SERIALIZABLE_OUTPUT', path: 'plan/draft' });
      }
      expect((await store.loadRun(runId))!.steps).toEqual([]);
    }));

    it('deletes a run with its journal and lease; the id can then be created anew', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      await store.appendStep(runId, token, step('a', 1));
      await store.deleteRun(runId);
      expect(await store.loadRun(runId)).toBeUndefined();
      expect((await store.listRuns({ name: 'triage', limit: 1_000 })).map((run) => run.runId)).not.toContain(runId);
      const again = await store.createRun(header(runId, { fingerprint: 'fp-2' }));
      expect(again.created).toBe(true);
      expect(again.state.steps).toEqual([]);
      expect(await store.acquireLease(runId, 'worker-2', leaseMs)).toBeTypeOf('string');
    }));

    it('refuses malformed arguments with InvalidInputError naming the problem, and changes nothing', withStore(async (store, _clock, runId) => {
      await store.createRun(header(runId));
      const token = (await store.acquireLease(runId, 'worker-1', leaseMs))!;
      const attempts: [string, () => Promise<unknown>][] = [
        ['runId', () => store.loadRun('')],
        ['runId', () => store.loadRun(42 as never)],
        ['runId', () => store.createRun(header('lone-\ud800'))],
        ['runId', () => store.createRun(header('x'.repeat(2_000)))],
        ['name', () => store.createRun(header(`${runId}-bad`, { name: '' }))],
        ['header', () => store.createRun(null as never)],
        ['leaseMs', () => store.acquireLease(runId, 'w', 0)],
        ['leaseMs', () => store.acquireLease(runId, 'w', Number.NaN)],
        ['leaseMs', () => store.renewLease(runId, token, -1)],
        ['owner', () => store.acquireLease(runId, '' as never, leaseMs)],
        ['record', () => store.appendStep(runId, token, null as never)],
        ['path', () => store.appendStep(runId, token, step('') )],
        ['status', () => store.appendStep(runId, token, step('a', 1, { status: 'done' as never }))],
        ['status', () => store.setStatus(runId, token, { status: 'paused' as never })],
        ['limit', () => store.listRuns({ limit: 0 })],
        ['limit', () => store.listRuns({ limit: 1.5 })],
        ['status', () => store.listRuns({ status: 'nope' as never })],
      ];
      for (const [problem, attempt] of attempts) {
        const error = await rejection(attempt());
        expect(error, problem).toMatchObject({ code: 'INVALID_INPUT', retryable: false });
        expect((error as Error).message, problem).toContain(problem);
      }
      expect((await store.loadRun(runId))!.steps).toEqual([]);
      expect((await store.loadRun(runId))!.status).toBe('running');
    }));
  });
}
