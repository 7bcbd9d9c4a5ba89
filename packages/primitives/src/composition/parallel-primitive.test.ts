import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, ParallelPrimitive, WorkflowContext, parallel, step } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { turnsToSettle as countTurns } from '../core/test-support/microtask-turns.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('ParallelPrimitive', () => {
  it('returns a tuple in branch order whatever the completion order', async () => {
    const clock = new ManualClock();
    const slow = step('slow', async (x: number, context) => (await sleep(30, context.signal, clock), x + 1));
    const fast = step('fast', async (x: number) => `fast ${x}`);
    const run = parallel(slow, fast).execute(new WorkflowContext(), 1);
    await clock.tickAsync(30);
    await expect(run).resolves.toEqual([2, 'fast 1']);
  });

  it('returns a record keyed like its branches', async () => {
    const workflow = parallel({ double: step('double', (x: number) => x * 2), text: step('text', (x: number) => `#${x}`) });
    await expect(workflow.execute(new WorkflowContext(), 4)).resolves.toEqual({ double: 8, text: '#4' });
  });

  it('never runs more branches at once than the concurrency limit', async () => {
    let inFlight = 0;
    let maximum = 0;
    const started: number[] = [];
    const gates = Array.from({ length: 8 }, () => deferred<void>());
    const branches = gates.map((gate, index) =>
      step(`b${index}`, async () => {
        started.push(index);
        inFlight++;
        maximum = Math.max(maximum, inFlight);
        await gate.promise;
        inFlight--;
        return index;
      }),
    );
    const run = new ParallelPrimitive(branches, { concurrency: 3 }).execute(new WorkflowContext(), undefined);
    for (const gate of gates) {
      await new Promise((resolve) => setImmediate(resolve));
      gate.resolve();
    }
    await expect(run).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(maximum).toBe(3);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('fails fast with the first error and aborts the sibling branches through their signals', async () => {
    const aborted: unknown[] = [];
    const waiting = step('waiting', (_: number, context) =>
      new Promise<number>((_resolve, reject) => {
        context.signal.addEventListener('abort', () => {
          aborted.push(context.signal.reason);
          reject(context.signal.reason);
        });
      }),
    );
    const failure = new Error('branch failed');
    const failing = step('failing', async (): Promise<number> => {
      await Promise.resolve();
      throw failure;
    });
    await expect(parallel(waiting, waiting, failing).execute(new WorkflowContext(), 1)).rejects.toBe(failure);
    expect(aborted).toEqual([failure, failure]);
  });

  it('does not start queued branches after a failure in fail-fast mode', async () => {
    const ran: number[] = [];
    const branches = [0, 1, 2, 3].map((index) =>
      step(`q${index}`, async () => {
        ran.push(index);
        if (index === 0) throw new Error('first fails');
        return index;
      }),
    );
    await expect(new ParallelPrimitive(branches, { concurrency: 1 }).execute(new WorkflowContext(), undefined)).rejects.toThrow('first fails');
    expect(ran).toEqual([0]);
  });

  it('settle mode runs every branch and reports each outcome', async () => {
    const error = new Error('one failed');
    const workflow = new ParallelPrimitive(
      [step('ok', (x: number) => x + 1), step('ko', (): number => { throw error; }), step('ok2', (x: number) => x * 3)],
      { mode: 'settle' },
    );
    await expect(workflow.execute(new WorkflowContext(), 2)).resolves.toEqual([
      { status: 'fulfilled', value: 3 },
      { status: 'rejected', reason: error },
      { status: 'fulfilled', value: 6 },
    ]);
  });

  it('aborts the branches when the caller aborts, and rejects with the caller reason', async () => {
    const controller = new AbortController();
    const branch = step('wait', (_: number, context) =>
      new Promise<number>((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })),
    );
    const run = parallel(branch, branch).execute(WorkflowContext.create({ signal: controller.signal }), 1);
    controller.abort('caller stopped');
    await expect(run).rejects.toBe('caller stopped');
  });

  it('resolves an empty tuple for no branches', async () => {
    await expect(parallel().execute(new WorkflowContext(), undefined)).resolves.toEqual([]);
  });

  it('validates its options at construction', () => {
    const branch = step('x', (x: number) => x);
    expect(() => new ParallelPrimitive([branch], { concurrency: 0 })).toThrow(InvalidOptionsError);
    expect(() => new ParallelPrimitive([branch], { concurrency: 1.5 })).toThrow(/concurrency/);
    expect(() => new ParallelPrimitive([branch], { mode: 'race' as never })).toThrow(/mode/);
    expect(() => new ParallelPrimitive([branch, 'nope' as never])).toThrow(/branches\[1\]/);
  });
});

describe('ParallelPrimitive when the caller aborts and the branches ignore their signal', () => {
  it.each([Infinity, 1, 2])('fail-fast with concurrency %s rejects with the abort reason, not the late values', async (concurrency) => {
    const gate = deferred<void>();
    const deaf = step('deaf', async (value: number) => (await gate.promise, value));
    const fanOut = new ParallelPrimitive([deaf, deaf], { concurrency });
    const controller = new AbortController();
    const outcome = fanOut.execute(WorkflowContext.create({ signal: controller.signal }), 1).catch((error: unknown) => ({ rejected: error }));
    controller.abort(new Error('caller gave up'));
    gate.resolve();
    expect(await outcome).toEqual({ rejected: controller.signal.reason });
  });
});

describe('ParallelPrimitive with the built-in metrics', () => {
  it('counts a fan-out without a promise hop of its own: metered, it settles as soon as unmetered', async () => {
    const { metrics } = await import('@tta/primitives');
    const turnsToSettle = (instrument: boolean): Promise<number> => {
      const fanOut = new ParallelPrimitive([step('hop-a', async (value: number) => value + 1, { instrument: false }), step('hop-b', async (value: number) => value + 2, { instrument: false })], { instrument, name: 'hop-fan-out' });
      return countTurns(fanOut.execute(new WorkflowContext(), 1));
    };
    metrics.reset();
    const unmetered = await turnsToSettle(false);
    const metered = await turnsToSettle(true);
    expect(metered).toBe(unmetered);
    expect(metrics.snapshot()['hop-fan-out']).toMatchObject({ count: 1, successes: 1 });
  });

  it('records each form once: a failed fan-out, a keyed one, one with a concurrency limit and a settled one', async () => {
    const { metrics } = await import('@tta/primitives');
    metrics.reset();
    const ok = step('ok-branch', async (value: number) => value);
    const broken = step('broken-branch', async (): Promise<number> => Promise.reject(new Error('branch failed')));
    await expect(new ParallelPrimitive([ok, broken], { name: 'failing-fan-out' }).execute(new WorkflowContext(), 1)).rejects.toThrow('branch failed');
    await expect(parallel({ a: ok, b: ok }).execute(new WorkflowContext(), 1)).resolves.toEqual({ a: 1, b: 1 });
    await expect(new ParallelPrimitive([ok, ok, ok], { name: 'limited-fan-out', concurrency: 1 }).execute(new WorkflowContext(), 1)).resolves.toEqual([1, 1, 1]);
    await expect(new ParallelPrimitive([ok, broken], { name: 'limited-failing', concurrency: 1 }).execute(new WorkflowContext(), 1)).rejects.toThrow('branch failed');
    await expect(new ParallelPrimitive([ok, broken], { name: 'settled-fan-out', mode: 'settle' }).execute(new WorkflowContext(), 1)).resolves.toHaveLength(2);
    const snapshot = metrics.snapshot();
    expect(snapshot['failing-fan-out']).toMatchObject({ count: 1, successes: 0, failures: 1 });
    expect(snapshot['parallel']).toMatchObject({ count: 1, successes: 1, failures: 0 });
    expect(snapshot['limited-fan-out']).toMatchObject({ count: 1, successes: 1, failures: 0 });
    expect(snapshot['limited-failing']).toMatchObject({ count: 1, successes: 0, failures: 1 });
    expect(snapshot['settled-fan-out']).toMatchObject({ count: 1, successes: 1, failures: 0 });
  });
});
