import { describe, expect, it } from 'vitest';
import { BudgetExceededError, ParallelPrimitive, SequentialPrimitive, ValidationError, budget, fingerprint, step, type AnyPrimitive, type StandardSchemaV1 } from '@tta/primitives';
import { getInstrumentations } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import {
  MemoryRunStore,
  NonSerializableOutputError,
  RunLockedError,
  RunNotFoundError,
  RunNotSuspendedError,
  StepOutputTooLargeError,
  WaitTimedOutError,
  WorkflowChangedError,
  durable,
  waitFor,
} from '@tta/durable';
import { activeDurableRuns } from './journal-instrumentation.js';

const seq = (name: string, ...steps: AnyPrimitive[]) => new SequentialPrimitive(steps, { name });

/** A step that counts its calls in `calls[name]` and adds `add` to its input. */
function counted(calls: Record<string, number>, name: string, add = 1) {
  return step(name, (input: number) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return input + add;
  });
}

/** A step that fails while `failing.value` is true. */
function failingWhile(calls: Record<string, number>, name: string, failing: { value: boolean }) {
  return step(name, (input: number) => {
    calls[name] = (calls[name] ?? 0) + 1;
    if (failing.value) throw new Error(`${name} is down`, { cause: new TypeError('socket closed') });
    return input * 10;
  });
}

const isNumber: StandardSchemaV1<unknown, number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value: unknown) => (typeof value === 'number' ? { value } : { issues: [{ message: 'must be a number' }] }),
  },
};

describe('durable', () => {
  it('completes a run and journals every step under its path', async () => {
    const calls: Record<string, number> = {};
    const flow = durable(seq('order', counted(calls, 'a'), counted(calls, 'b')), { name: 'orders', store: new MemoryRunStore() });
    const outcome = await flow.start(1, { runId: 'r1' });
    expect(outcome).toEqual({ status: 'completed', runId: 'r1', output: 3 });
    const run = await flow.inspect('r1');
    expect(run?.status).toBe('completed');
    expect(run?.fingerprint).toBe(flow.fingerprint);
    expect(flow.fingerprint).toBe(fingerprint(seq('order', counted({}, 'a'), counted({}, 'b'))));
    expect(run?.steps.map((record) => [record.path, record.status, record.output])).toEqual([
      ['order/a', 'completed', 2],
      ['order/b', 'completed', 3],
      ['order', 'completed', 3],
    ]);
    expect(await flow.list()).toEqual([expect.objectContaining({ runId: 'r1', status: 'completed' })]);
  });

  it('registers its journal only while a run is active', async () => {
    const flow = durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore() });
    const before = getInstrumentations().length;
    let during = -1;
    const probe = durable(step('probe', () => { during = activeDurableRuns(); return 1; }), { name: 'probe', store: new MemoryRunStore() });
    await probe.start(undefined);
    await flow.start(undefined);
    expect(during).toBe(1);
    expect(activeDurableRuns()).toBe(0);
    expect(getInstrumentations().length).toBe(before);
  });

  it('records a failed run with its error and cause chain, and resumes without calling completed steps again', async () => {
    const calls: Record<string, number> = {};
    const failing = { value: true };
    const flow = durable(seq('flow', counted(calls, 'a'), failingWhile(calls, 'b', failing), counted(calls, 'c')), { name: 'f', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'r' })).rejects.toThrow('b is down');
    const failed = await flow.inspect('r');
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toEqual({ name: 'Error', message: 'b is down', cause: { name: 'TypeError', message: 'socket closed' } });
    failing.value = false;
    await expect(flow.resume('r')).resolves.toEqual({ status: 'completed', runId: 'r', output: 21 });
    expect(calls).toEqual({ a: 1, b: 2, c: 1 });
  });

  it('continues an existing run when start is given its runId, and returns a completed run as it is', async () => {
    const calls: Record<string, number> = {};
    const failing = { value: true };
    const flow = durable(seq('flow', counted(calls, 'a'), failingWhile(calls, 'b', failing)), { name: 'f', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'job-7' })).rejects.toThrow();
    failing.value = false;
    await expect(flow.start(999, { runId: 'job-7' })).resolves.toEqual({ status: 'completed', runId: 'job-7', output: 20 });
    await expect(flow.start(999, { runId: 'job-7' })).resolves.toEqual({ status: 'completed', runId: 'job-7', output: 20 });
    expect(calls).toEqual({ a: 1, b: 2 });
  });

  it('reruns only the unfinished branches of a parallel', async () => {
    const calls: Record<string, number> = {};
    const failing = { value: true };
    const fan = new ParallelPrimitive([counted(calls, 'left'), failingWhile(calls, 'right', failing), counted(calls, 'middle', 5)], { name: 'fan', mode: 'settle' });
    const flow = durable(fan, { name: 'fan', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'p' })).rejects.toThrow();
    failing.value = false;
    const outcome = await flow.resume('p');
    expect(outcome.status).toBe('completed');
    expect(calls).toEqual({ left: 1, right: 2, middle: 1 });
  });

  it('gives the step running again the same idempotency key', async () => {
    const keys: (string | undefined)[] = [];
    const failing = { value: true };
    const charge = step('charge', (input: number, context) => {
      keys.push(context.idempotencyKey);
      if (failing.value) throw new Error('lost the reply');
      return input;
    });
    const flow = durable(seq('pay', charge), { name: 'pay', store: new MemoryRunStore() });
    await expect(flow.start(5, { runId: 'p-1' })).rejects.toThrow();
    failing.value = false;
    await flow.resume('p-1');
    expect(keys).toEqual(['p-1:pay/charge', 'p-1:pay/charge']);
  });

  it('rejects unknown runs, and runs of another workflow, with RunNotFoundError', async () => {
    const store = new MemoryRunStore();
    const one = durable(step('x', () => 1), { name: 'one', store });
    const other = durable(step('x', () => 1), { name: 'other', store });
    await one.start(undefined, { runId: 'r' });
    await expect(one.resume('nope')).rejects.toSatisfy(RunNotFoundError.isInstance);
    await expect(other.resume('r')).rejects.toSatisfy(RunNotFoundError.isInstance);
    expect(await other.inspect('r')).toBeUndefined();
    await expect(other.cancel('r')).rejects.toSatisfy(RunNotFoundError.isInstance);
  });

  it('refuses a run another owner holds with RunLockedError', async () => {
    const store = new MemoryRunStore();
    const flow = durable(step('x', () => 1), { name: 'x', store });
    await store.createRun({ runId: 'held', name: 'x', fingerprint: flow.fingerprint, createdAt: 1, input: null });
    await store.acquireLease('held', 'someone else', 60_000);
    await expect(flow.resume('held')).rejects.toSatisfy(RunLockedError.isInstance);
    await expect(flow.start(null as never, { runId: 'held' })).rejects.toSatisfy(RunLockedError.isInstance);
  });

  it('records an aborted run as failed with the reason, and resumes it later', async () => {
    const calls: Record<string, number> = {};
    const controller = new AbortController();
    const stopper = step('stop', (input: number) => {
      controller.abort(new Error('shutting down'));
      return input;
    });
    const flow = durable(seq('flow', counted(calls, 'a'), stopper, counted(calls, 'b')), { name: 'f', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'r', signal: controller.signal })).rejects.toThrow('shutting down');
    expect((await flow.inspect('r'))?.status).toBe('failed');
    await expect(flow.resume('r')).resolves.toMatchObject({ status: 'completed', output: 3 });
    expect(calls).toEqual({ a: 1, b: 1 });
  });

  it('cancels a suspended run, after which it cannot be resumed', async () => {
    const flow = durable(seq('flow', waitFor('ok')), { name: 'c', store: new MemoryRunStore() });
    await flow.start(undefined, { runId: 'r' });
    await flow.cancel('r');
    expect((await flow.inspect('r'))?.status).toBe('cancelled');
    await expect(flow.resume('r', { value: 1 })).rejects.toSatisfy(RunNotSuspendedError.isInstance);
  });
});

describe('usage across resumes', () => {
  const spend = (calls: Record<string, number>, name: string) =>
    step(name, (input: number, context) => {
      context.checkBudget();
      calls[name] = (calls[name] ?? 0) + 1;
      context.reportUsage({ model: 'm', inputTokens: 100, outputTokens: 10, costUsd: 0.6 });
      return input;
    });

  it('holds a budget across a resume: replayed steps spend their journaled usage again', async () => {
    const calls: Record<string, number> = {};
    const workflow = budget(seq('flow', spend(calls, 'first'), waitFor('go'), spend(calls, 'second'), spend(calls, 'third')), { name: 'capped', maxCostUsd: 1 });
    const flow = durable(workflow, { name: 'b', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'r' })).resolves.toMatchObject({ status: 'suspended' });
    // first (0.6, replayed) + second (0.6) reach the limit: third is refused, as in one uninterrupted run.
    await expect(flow.resume('r', { value: 1 })).rejects.toSatisfy(BudgetExceededError.isInstance);
    expect(calls).toEqual({ first: 1, second: 1 });
    expect((await flow.inspect('r'))?.usage).toEqual({ calls: 2, inputTokens: 200, outputTokens: 20, costUsd: expect.closeTo(1.2, 9) });
    const steps = (await flow.inspect('r'))?.steps ?? [];
    expect(steps.find((record) => record.path === 'capped/flow/first')).toBeDefined();
  });
});

describe('waitFor', () => {
  it('suspends with its input as the payload and returns the value resume brings', async () => {
    const calls: Record<string, number> = {};
    const flow = durable(seq('refund', counted(calls, 'quote'), waitFor<number, number>('approval', { schema: isNumber }), counted(calls, 'pay')), { name: 'r', store: new MemoryRunStore() });
    const first = await flow.start(1, { runId: 'w' });
    expect(first).toEqual({ status: 'suspended', runId: 'w', waitingFor: { name: 'approval', payload: 2 } });
    expect((await flow.inspect('w'))?.status).toBe('suspended');
    expect(await flow.list({ status: 'suspended' })).toEqual([expect.objectContaining({ runId: 'w' })]);
    // Without a value the run stays where it is.
    await expect(flow.resume('w')).resolves.toEqual(first);
    await expect(flow.resume('w', { value: 100 })).resolves.toEqual({ status: 'completed', runId: 'w', output: 101 });
    expect(calls).toEqual({ quote: 1, pay: 1 });
  });

  it('refuses a value the schema rejects and stays suspended', async () => {
    const flow = durable(seq('flow', waitFor('amount', { schema: isNumber })), { name: 'v', store: new MemoryRunStore() });
    await flow.start(undefined, { runId: 'w' });
    await expect(flow.resume('w', { value: 'lots' })).rejects.toSatisfy(ValidationError.isInstance);
    expect((await flow.inspect('w'))?.status).toBe('suspended');
    await expect(flow.resume('w', { value: 3 })).resolves.toMatchObject({ status: 'completed', output: 3 });
  });

  it('answers one of two resumes with values; the other gets RunNotSuspendedError', async () => {
    const flow = durable(seq('flow', waitFor('pick')), { name: 'd', store: new MemoryRunStore() });
    await flow.start(undefined, { runId: 'w' });
    await expect(flow.resume('w', { value: 'first' })).resolves.toMatchObject({ output: 'first' });
    await expect(flow.resume('w', { value: 'second' })).rejects.toSatisfy(RunNotSuspendedError.isInstance);
    expect((await flow.inspect('w'))?.output).toBe('first');
  });

  it('fails the run with WaitTimedOutError once its timeout passed, noticed by resume, inspect or list', async () => {
    const clock = new ManualClock(1_000);
    const store = new MemoryRunStore({ clock });
    const flow = durable(seq('flow', waitFor('approval', { timeoutMs: 60_000 })), { name: 't', store, clock });
    const first = await flow.start(undefined, { runId: 'a' });
    expect(first).toMatchObject({ status: 'suspended', waitingFor: { expiresAt: 61_000 } });
    await flow.start(undefined, { runId: 'b' });
    clock.advance(60_000);
    await expect(flow.resume('a', { value: true })).rejects.toSatisfy(WaitTimedOutError.isInstance);
    const inspected = await flow.inspect('a');
    expect(inspected?.status).toBe('failed');
    expect(inspected?.error?.code).toBe('WAIT_TIMED_OUT');
    expect(await flow.list({ status: 'suspended' })).toEqual([]);
    expect((await flow.inspect('b'))?.status).toBe('failed');
  });

  it('stops the other branches of a parallel when one waits, and reruns only the unfinished ones on resume', async () => {
    const calls: Record<string, number> = {};
    const slow = step('slow', async (input: number, context) => {
      calls['slow'] = (calls['slow'] ?? 0) + 1;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, calls['slow'] === 1 ? 10_000 : 0);
        context.signal.addEventListener('abort', () => (clearTimeout(timer), reject(context.signal.reason)), { once: true });
      });
      return input;
    });
    const flow = durable(new ParallelPrimitive([counted(calls, 'fast'), waitFor('approval'), slow], { name: 'fan' }), { name: 'pw', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'w' })).resolves.toMatchObject({ status: 'suspended', waitingFor: { name: 'approval', payload: 1 } });
    await expect(flow.resume('w', { value: 'yes' })).resolves.toEqual({ status: 'completed', runId: 'w', output: [2, 'yes', 1] });
    expect(calls).toEqual({ fast: 1, slow: 2 });
  });

  it('leaves a suspended run as it is when the resume is aborted before it starts', async () => {
    const flow = durable(seq('flow', waitFor('ok')), { name: 'ab', store: new MemoryRunStore() });
    await flow.start(undefined, { runId: 'w' });
    const reason = new Error('client went away');
    await expect(flow.resume('w', { value: 1, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect((await flow.inspect('w'))?.status).toBe('suspended');
    await expect(flow.resume('w', { value: 1 })).resolves.toMatchObject({ status: 'completed', output: 1 });
  });

  it('fails a run whose deadline passes while a step runs, and resumes it later', async () => {
    const calls: Record<string, number> = {};
    const stall = step('stall', (input: number, context) => new Promise<number>((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })));
    let stalling = true;
    const maybeStall = step('maybe-stall', (input: number, context) => (stalling ? stall.execute(context, input) : Promise.resolve(input)));
    const flow = durable(seq('flow', counted(calls, 'a'), maybeStall, waitFor('ok')), { name: 'dl', store: new MemoryRunStore() });
    await expect(flow.start(1, { runId: 'd', signal: AbortSignal.timeout(20) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await flow.inspect('d'))?.status).toBe('failed');
    stalling = false;
    await expect(flow.resume('d')).resolves.toMatchObject({ status: 'suspended' });
    expect(calls).toEqual({ a: 1 });
  });

  it('rejects a value for a run that waits for nothing', async () => {
    const flow = durable(step('x', () => 1), { name: 'x', store: new MemoryRunStore() });
    await flow.start(undefined, { runId: 'r' });
    await expect(flow.resume('r', { value: 1 })).rejects.toSatisfy(RunNotSuspendedError.isInstance);
  });

  it('rejects when run outside a durable run', async () => {
    await expect(waitFor('x').run(undefined)).rejects.toThrow('runs only inside a durable run');
  });
});

describe('journaled outputs', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  const refused: [string, unknown, string][] = [
    ['a Date', new Date(0), 'a Date'],
    ['a BigInt', { total: 10n }, 'total is a BigInt'],
    ['a Map', new Map([[1, 2]]), 'a Map'],
    ['a Set', [new Set([1])], '[0] is a Set'],
    ['a class instance', { at: new Point(1) }, 'instance of Point'],
    ['NaN', { score: Number.NaN }, 'score is NaN'],
    ['Infinity', [Infinity], 'is Infinity'],
    // eslint-disable-next-line no-sparse-arrays -- the hole is what is tested
    ['a sparse array', [1, , 3], 'hole at index 1'],
    ['undefined in an array', [undefined], 'undefined inside an array'],
    ['a cycle', cycle, 'cycle'],
    ['a function', { run: () => 1 }, 'is a function'],
  ];
  for (const [what, output, message] of refused) {
    it(`refuses ${what} at record time, naming the path`, async () => {
      const flow = durable(seq('flow', step('make', () => output)), { name: 'j', store: new MemoryRunStore() });
      const failure = flow.start(undefined, { runId: 'r' });
      await expect(failure).rejects.toSatisfy(NonSerializableOutputError.isInstance);
      await expect(failure).rejects.toThrow(/step "flow\/make"/);
      await expect(failure).rejects.toThrow(message);
    });
  }

  it('accepts undefined from a void step, undefined properties and -0', async () => {
    const flow = durable(seq('flow', step('void', () => undefined), step('shape', () => ({ a: 1, b: undefined, zero: -0 }))), { name: 'j', store: new MemoryRunStore() });
    await expect(flow.start(undefined)).resolves.toMatchObject({ status: 'completed', output: { a: 1, zero: -0 } });
  });

  it('refuses an output over the per-step limit with StepOutputTooLargeError', async () => {
    const flow = durable(seq('flow', step('big', () => 'x'.repeat(2_000))), { name: 'j', store: new MemoryRunStore(), maxStepOutputBytes: 1_000 });
    await expect(flow.start(undefined)).rejects.toSatisfy((error: unknown) => StepOutputTooLargeError.isInstance(error) && error.path === 'flow/big' && error.bytes === 2_002);
  });
});

describe('a changed definition', () => {
  async function suspendedRun(definition: AnyPrimitive, version?: string) {
    const store = new MemoryRunStore();
    const flow = durable(definition, { name: 'edit', store, ...(version === undefined ? {} : { version }) });
    await expect(flow.start(1, { runId: 'r' })).resolves.toMatchObject({ status: 'suspended' });
    return store;
  }

  it('fails resume with WorkflowChangedError naming the fingerprints when no version is given', async () => {
    const calls: Record<string, number> = {};
    const store = await suspendedRun(seq('flow', counted(calls, 'a'), waitFor('ok'), counted(calls, 'b')));
    const edited = durable(seq('flow', counted(calls, 'a'), counted(calls, 'inserted'), waitFor('ok'), counted(calls, 'b')), { name: 'edit', store });
    await expect(edited.resume('r', { value: 0 })).rejects.toSatisfy((error: unknown) => WorkflowChangedError.isInstance(error) && /fingerprint .* was recorded, the workflow now has/.test(error.message));
  });

  it('names the recorded steps a changed definition no longer has', async () => {
    const calls: Record<string, number> = {};
    const store = await suspendedRun(seq('flow', counted({}, 'a'), waitFor('ok')));
    const renamed = durable(seq('flow', counted(calls, 'a-renamed'), waitFor('ok')), { name: 'edit', store });
    await expect(renamed.resume('r', { value: 0 })).rejects.toThrow('recorded steps no longer in the workflow: flow/a');
    const optionChanged = durable(seq('flow', counted(calls, 'a'), waitFor('ok', { timeoutMs: 5_000 })), { name: 'edit', store });
    await expect(optionChanged.resume('r', { value: 0 })).rejects.toThrow('every recorded step path still exists');
    expect(calls).toEqual({});
  });

  it('fails resume under another version', async () => {
    const calls: Record<string, number> = {};
    const store = await suspendedRun(seq('flow', counted(calls, 'a'), waitFor('ok')), 'v1');
    const next = durable(seq('flow', counted(calls, 'a'), waitFor('ok')), { name: 'edit', store, version: 'v2' });
    await expect(next.resume('r', { value: 0 })).rejects.toThrow('version "v1" was recorded, the workflow now has version "v2"');
  });

  const cases: [string, (calls: Record<string, number>) => AnyPrimitive, Record<string, number>, number][] = [
    // Recorded: a (1 -> 2), then the wait. The answer is 0; later steps add to it.
    ['insert', (calls) => seq('flow', counted(calls, 'a'), counted(calls, 'new', 100), waitFor('ok'), counted(calls, 'b')), { new: 1, b: 1 }, 1],
    ['remove', (calls) => seq('flow', waitFor('ok'), counted(calls, 'b')), { b: 1 }, 1],
    ['rename', (calls) => seq('flow', counted(calls, 'a-renamed'), waitFor('ok'), counted(calls, 'b')), { 'a-renamed': 1, b: 1 }, 1],
    // `a` keeps its recorded output (2) although its input is now b's: the version vouches for the edit.
    ['reorder', (calls) => seq('flow', waitFor('ok'), counted(calls, 'b'), counted(calls, 'a')), { b: 1 }, 2],
  ];
  for (const [edit, definition, expectedCalls, output] of cases) {
    it(`under the same version, reuses the recorded steps whose paths still exist (${edit})`, async () => {
      const before: Record<string, number> = {};
      const store = await suspendedRun(seq('flow', counted(before, 'a'), waitFor('ok'), counted(before, 'b')), 'v1');
      const calls: Record<string, number> = {};
      const next = durable(definition(calls), { name: 'edit', store, version: 'v1' });
      await expect(next.resume('r', { value: 0 })).resolves.toMatchObject({ status: 'completed', output });
      expect(calls).toEqual(expectedCalls);
    });
  }
});
