import { describe, expect, it } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import { BudgetExceededError, SequentialPrimitive, ValidationError, budget, step, type AnyPrimitive, type StandardSchemaV1 } from '@tta/primitives';
import type { RunStore } from '../run-store.js';
import { durable } from '../engine/durable-workflow.js';
import { waitFor } from '../engine/wait-for.js';
import { RunLockedError } from '../errors/run-locked-error.js';
import { RunNotSuspendedError } from '../errors/run-not-suspended-error.js';
import { WaitTimedOutError } from '../errors/wait-timed-out-error.js';

let sequence = 0;
const uniqueRunId = (): string => `engine-${process.pid}-${Date.now().toString(36)}-${++sequence}`;
const uniqueName = (): string => `engine-flow-${++sequence}`;

const isNumber: StandardSchemaV1<unknown, number> = {
  '~standard': {
    version: 1,
    vendor: 'contract',
    validate: (value: unknown) => (typeof value === 'number' ? { value } : { issues: [{ message: 'must be a number' }] }),
  },
};

/** A promise and the function that settles it: holds a step until the test lets it go. */
function gate(): { readonly opened: Promise<void>; readonly open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The engine-level contract of a {@link RunStore}: `durable()` runs on it the way it runs on
 * `MemoryRunStore` — journal replay, suspend and resume from another workflow instance (another
 * process's view), schema refusal, the lease races (two resumers, a double answer, a dead owner's
 * lease taken over, a resume before the suspend is persisted), renewal while a step runs, abort.
 * Uses real time with short leases (about a second in all).
 *
 * @example
 * ```ts
 * describeDurableEngineContract('MemoryRunStore', async () => new MemoryRunStore());
 * ```
 */
export function describeDurableEngineContract(name: string, createStore: () => Promise<RunStore>, cleanup?: (store: RunStore) => Promise<void>): void {
  describe(`${name} (durable engine contract)`, () => {
    const withStore = (test: (store: RunStore) => Promise<void>) => async () => {
      const store = await createStore();
      try {
        await test(store);
      } finally {
        await cleanup?.(store);
      }
    };
    const counted = (calls: Record<string, number>, stepName: string, add = 1) =>
      step(stepName, (input: number) => {
        calls[stepName] = (calls[stepName] ?? 0) + 1;
        return input + add;
      });
    const seq = (stepName: string, ...steps: AnyPrimitive[]) => new SequentialPrimitive(steps, { name: stepName });

    it(
      'journals each step and resumes a failed run without calling completed steps again',
      withStore(async (store) => {
        const calls: Record<string, number> = {};
        const failing = { value: true };
        const flaky = step('flaky', (input: number) => {
          calls['flaky'] = (calls['flaky'] ?? 0) + 1;
          if (failing.value) throw new Error('down', { cause: new Error('refused') });
          return input * 10;
        });
        const flow = durable(seq('flow', counted(calls, 'a'), flaky, counted(calls, 'c')), { name: uniqueName(), store });
        const runId = uniqueRunId();
        await expect(flow.start(1, { runId })).rejects.toThrow('down');
        const failed = await flow.inspect(runId);
        expect(failed?.status).toBe('failed');
        expect(failed?.error).toEqual({ name: 'Error', message: 'down', cause: { name: 'Error', message: 'refused' } });
        failing.value = false;
        await expect(flow.resume(runId)).resolves.toEqual({ status: 'completed', runId, output: 21 });
        expect(calls).toEqual({ a: 1, flaky: 2, c: 1 });
        expect((await flow.inspect(runId))?.steps.filter((record) => record.status === 'completed').map((record) => record.path)).toEqual(['flow/a', 'flow/flaky', 'flow/c', 'flow']);
      }),
    );

    it(
      'suspends in one workflow instance and resumes with a value in another; a refused value keeps it suspended',
      withStore(async (store) => {
        const calls: Record<string, number> = {};
        const name = uniqueName();
        const define = () => seq('refund', counted(calls, 'quote'), waitFor('approval', { schema: isNumber }), counted(calls, 'pay'));
        const runId = uniqueRunId();
        await expect(durable(define(), { name, store }).start(1, { runId })).resolves.toEqual({ status: 'suspended', runId, waitingFor: { name: 'approval', payload: 2 } });
        const other = durable(define(), { name, store });
        await expect(other.resume(runId, { value: 'yes' })).rejects.toSatisfy(ValidationError.isInstance);
        expect((await other.inspect(runId))?.status).toBe('suspended');
        await expect(other.resume(runId, { value: 41 })).resolves.toEqual({ status: 'completed', runId, output: 42 });
        expect(calls).toEqual({ quote: 1, pay: 1 });
      }),
    );

    it(
      'lets one of two resumers run the run; the other gets RunLockedError',
      withStore(async (store) => {
        const hold = gate();
        let entered!: () => void;
        const started = new Promise<void>((resolve) => {
          entered = resolve;
        });
        const name = uniqueName();
        const slow = step('slow', async (input: number) => {
          entered();
          await hold.opened;
          return input;
        });
        const runId = uniqueRunId();
        const first = durable(seq('flow', slow), { name, store, leaseMs: 200 });
        const second = durable(seq('flow', slow), { name, store, leaseMs: 200 });
        const running = first.start(7, { runId });
        await started;
        // Longer than the lease: the owner renews it while its step runs.
        await sleep(350);
        await expect(second.resume(runId)).rejects.toSatisfy(RunLockedError.isInstance);
        // A resume that brings a value before the run has suspended (or finished) is refused too.
        await expect(second.resume(runId, { value: 1 })).rejects.toSatisfy((error: unknown) => RunLockedError.isInstance(error) || RunNotSuspendedError.isInstance(error));
        hold.open();
        await expect(running).resolves.toEqual({ status: 'completed', runId, output: 7 });
      }),
    );

    it(
      'answers one of two concurrent resumes with values; the other is refused',
      withStore(async (store) => {
        const name = uniqueName();
        const define = () => seq('flow', waitFor<unknown, string>('pick'));
        const runId = uniqueRunId();
        await durable(define(), { name, store }).start(undefined, { runId });
        const results = await Promise.allSettled([durable(define(), { name, store }).resume(runId, { value: 'one' }), durable(define(), { name, store }).resume(runId, { value: 'two' })]);
        const fulfilled = results.filter((result) => result.status === 'fulfilled');
        const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
        expect(fulfilled).toHaveLength(1);
        expect(rejected).toHaveLength(1);
        expect(RunLockedError.isInstance(rejected[0]!.reason) || RunNotSuspendedError.isInstance(rejected[0]!.reason)).toBe(true);
        const output = (await durable(define(), { name, store }).inspect(runId))?.output;
        expect(output).toBe((fulfilled[0] as PromiseFulfilledResult<{ output: string }>).value.output);
      }),
    );

    it(
      "takes over a dead owner's lease once it expires",
      withStore(async (store) => {
        const calls: Record<string, number> = {};
        const flow = durable(seq('flow', counted(calls, 'a')), { name: uniqueName(), store });
        const runId = uniqueRunId();
        await store.createRun({ runId, name: flow.name, fingerprint: flow.fingerprint, createdAt: Date.now(), input: 1 });
        expect(await store.acquireLease(runId, 'a process that died', 150)).toBeTypeOf('string');
        await expect(flow.resume(runId)).rejects.toSatisfy(RunLockedError.isInstance);
        await sleep(250);
        await expect(flow.resume(runId)).resolves.toEqual({ status: 'completed', runId, output: 2 });
      }),
    );

    it(
      'records a run aborted by its signal as failed with the reason, and resumes it',
      withStore(async (store) => {
        const calls: Record<string, number> = {};
        const controller = new AbortController();
        const stop = step('stop', (input: number) => {
          controller.abort(new Error('shutting down'));
          return input;
        });
        const flow = durable(seq('flow', counted(calls, 'a'), stop, counted(calls, 'b')), { name: uniqueName(), store });
        const runId = uniqueRunId();
        await expect(flow.start(1, { runId, signal: controller.signal })).rejects.toThrow('shutting down');
        expect((await flow.inspect(runId))?.error?.message).toBe('shutting down');
        await expect(flow.resume(runId)).resolves.toMatchObject({ status: 'completed', output: 3 });
        expect(calls).toEqual({ a: 1, b: 1 });
      }),
    );

    it(
      'fails a run whose wait expired, noticed by the next resume or inspect from another instance',
      withStore(async (store) => {
        const clock = new ManualClock(Date.now());
        const name = uniqueName();
        const define = () => durable(seq('flow', waitFor('approval', { timeoutMs: 60_000 })), { name, store, clock });
        const runId = uniqueRunId();
        await expect(define().start(undefined, { runId })).resolves.toMatchObject({ status: 'suspended', waitingFor: { expiresAt: clock.now() + 60_000 } });
        clock.advance(60_000);
        const other = define();
        await expect(other.resume(runId, { value: true })).rejects.toSatisfy(WaitTimedOutError.isInstance);
        expect((await other.inspect(runId))?.error?.code).toBe('WAIT_TIMED_OUT');
        await expect(other.resume(runId)).rejects.toSatisfy(WaitTimedOutError.isInstance);
      }),
    );

    it(
      'journals the run usage, adding each session to the last',
      withStore(async (store) => {
        const spend = step('spend', (input: number, context) => {
          context.reportUsage({ model: 'm', inputTokens: 10, outputTokens: 5, costUsd: 0.5 });
          return input;
        });
        const flow = durable(seq('flow', spend, waitFor('ok'), step('spend-more', (input: unknown, context) => {
          context.reportUsage({ model: 'm', inputTokens: 1, outputTokens: 1, costUsd: 0.25 });
          return input;
        })), { name: uniqueName(), store });
        const runId = uniqueRunId();
        await flow.start(1, { runId });
        expect((await flow.inspect(runId))?.usage).toEqual({ calls: 1, inputTokens: 10, outputTokens: 5, costUsd: 0.5 });
        await flow.resume(runId, { value: 2 });
        expect((await flow.inspect(runId))?.usage).toEqual({ calls: 2, inputTokens: 11, outputTokens: 6, costUsd: 0.75 });
      }),
    );

    it(
      'counts what a failed session spent in the budgets of the resumed run, and once in its usage',
      withStore(async (store) => {
        let failing = true;
        const spend = step('spend', (input: number, context) => {
          for (let call = 0; call < 2; call++) {
            context.checkBudget();
            context.reportUsage({ model: 'm', inputTokens: 10, outputTokens: 5, costUsd: 0.5 });
            if (failing) throw new Error('failed after spending');
          }
          return input;
        });
        const flow = durable(seq('flow', budget(spend, { maxCostUsd: 0.75 })), { name: uniqueName(), store });
        const runId = uniqueRunId();
        await expect(flow.start(1, { runId })).rejects.toThrow('failed after spending');
        failing = false;
        await expect(flow.resume(runId)).rejects.toSatisfy(BudgetExceededError.isInstance);
        expect((await flow.inspect(runId))?.usage).toEqual({ calls: 2, inputTokens: 20, outputTokens: 10, costUsd: 1 });
      }),
    );
  });
}
