import { afterEach, describe, expect, it } from 'vitest';
import { ParallelPrimitive, SequentialPrimitive, WorkflowContext, WorkflowPrimitive, parallel, retry, step, type AnyPrimitive, type Disposable } from '@tta/primitives';
import { getRunExtension, registerInstrumentation, setRunExtension, stepPaths } from '@tta/primitives/instrumentation';

/** Runs `workflow` under an instrumentation and returns the step paths in start order. */
async function pathsOf(workflow: AnyPrimitive, input: unknown, context = new WorkflowContext()): Promise<string[]> {
  const paths: string[] = [];
  const registration = registerInstrumentation({ onStart: (execution) => paths.push(execution.path) });
  try {
    await workflow.execute(context, input).catch(() => undefined);
  } finally {
    registration.dispose();
  }
  return paths;
}

describe('step paths', () => {
  const registrations: Disposable[] = [];
  afterEach(() => registrations.splice(0).forEach((registration) => registration.dispose()));

  it('joins the names from the root with a slash', async () => {
    const workflow = new SequentialPrimitive([step('fetch', (x: number) => x), step('summarise', (x: number) => x)], { name: 'report' });
    expect(await pathsOf(workflow, 1)).toEqual(['report', 'report/fetch', 'report/summarise']);
  });

  it('uses the label of an unnamed child, and the name of a named one', async () => {
    const workflow = new ParallelPrimitive({ news: parallel(step('a', () => 1)), weather: step('forecast', () => 2) }, { name: 'gather' });
    expect(await pathsOf(workflow, undefined)).toEqual(['gather', 'gather/news', 'gather/news/a', 'gather/forecast']);
  });

  it('gives siblings sharing a name a positional suffix', async () => {
    const workflow = new SequentialPrimitive([step('fetch', () => 1), step('fetch', () => 2), step('fetch', () => 3)], { name: 'flow' });
    expect(await pathsOf(workflow, undefined)).toEqual(['flow', 'flow/fetch', 'flow/fetch~2', 'flow/fetch~3']);
  });

  it('numbers the repeats of one child at run time: the retry attempts of a step', async () => {
    let calls = 0;
    const flaky = step('call', () => (++calls < 3 ? Promise.reject(new Error('flaky')) : Promise.resolve('ok')));
    const workflow = retry(flaky, { maxAttempts: 3, initialDelayMs: 0, jitter: 'none' });
    expect(await pathsOf(workflow, undefined)).toEqual(['retry(call)', 'retry(call)/call', 'retry(call)/call#2', 'retry(call)/call#3']);
  });

  it('counts repeats per parent execution, so concurrent branches get the same paths in any order', async () => {
    const slowFirst = step('work', async (delayMs: number) => new Promise<number>((resolve) => setTimeout(() => resolve(delayMs), delayMs)));
    const branch = (name: string, delayMs: number) => new SequentialPrimitive([step(`${name}-in`, () => delayMs), slowFirst, slowFirst], { name });
    const workflow = new ParallelPrimitive([branch('left', 5), branch('right', 0)], { name: 'both' });
    const paths = await pathsOf(workflow, undefined);
    expect([...paths].sort()).toEqual(
      ['both', 'both/left', 'both/left/left-in', 'both/left/work', 'both/left/work#2', 'both/right', 'both/right/right-in', 'both/right/work', 'both/right/work#2'].sort(),
    );
  });

  it('numbers a child its parent does not list together with a listed sibling of the same segment', async () => {
    const listed = step('lookup', (x: number) => x);
    const direct = step('lookup', (x: number) => x + 1);
    const other = step('other', (x: number) => x);
    // `direct` is called by the custom step, not listed by the sequence: it shares `lookup`'s count.
    const caller = step('caller', async (x: number, context) => (await direct.execute(context, x)) + (await other.execute(context, x)) + (await direct.execute(context, x)));
    const workflow = new SequentialPrimitive([listed, caller, listed], { name: 'flow' });
    expect(await pathsOf(workflow, 1)).toEqual(['flow', 'flow/lookup', 'flow/caller', 'flow/caller/lookup', 'flow/caller/other', 'flow/caller/lookup#2', 'flow/lookup#2']);
    // A custom composite that lists `listed` and also calls `direct`: both are `lookup` under it.
    class ListsOne extends WorkflowPrimitive<number, number> {
      constructor() {
        super('lists-one', { name: 'custom' });
      }
      override _children() {
        return [{ label: undefined, primitive: listed }];
      }
      protected async executeImpl(context: WorkflowContext, x: number) {
        return listed.execute(context, await direct.execute(context, x));
      }
    }
    expect(await pathsOf(new ListsOne(), 1)).toEqual(['custom', 'custom/lookup', 'custom/lookup#2']);
  });

  it('gives every instrumentation the same execution object, whose own fields copy like a record', async () => {
    const started: object[] = [];
    const ended: object[] = [];
    registrations.push(registerInstrumentation({ onStart: (execution) => started.push(execution), onEnd: (execution) => ended.push(execution) }));
    const workflow = new SequentialPrimitive([step('only', (x: number) => x)], { name: 'flow' });
    await workflow.execute(new WorkflowContext(), 3);
    expect(ended).toEqual(expect.arrayContaining(started));
    expect(started.map((execution) => ({ ...execution }))).toMatchObject([
      { name: 'flow', kind: 'sequential', input: 3 },
      { name: 'only', kind: 'step', input: 3 },
    ]);
  });

  it('percent-encodes the characters that structure a path, so any name stays one segment', async () => {
    const workflow = new SequentialPrimitive([step('a/b#c~d%', () => 1)], { name: 'root/x' });
    expect(await pathsOf(workflow, undefined)).toEqual(['root%2Fx', 'root%2Fx/a%2Fb%23c%7Ed%25']);
  });

  it('gives each step the idempotency key of its run and path, and none without a run id', async () => {
    const seen: (string | undefined)[] = [];
    const record = step('charge', (_: unknown, context) => {
      seen.push(context.idempotencyKey);
      return 1;
    });
    const workflow = new SequentialPrimitive([record, record], { name: 'pay' });
    await pathsOf(workflow, undefined, WorkflowContext.create({ runId: 'run-1' }));
    await pathsOf(workflow, undefined, WorkflowContext.create());
    expect(seen).toEqual(['run-1:pay/charge', 'run-1:pay/charge#2', undefined, undefined]);
  });

  it('has no path and no idempotency key when no instrumentation is registered', async () => {
    let key: string | undefined = 'unset';
    await step('x', (_: unknown, context) => {
      key = context.idempotencyKey;
    }).execute(WorkflowContext.create({ runId: 'r' }), undefined);
    expect(key).toBeUndefined();
  });
});

describe('stepPaths', () => {
  it('lists the paths a definition can produce, as a run names them without occurrence suffixes', async () => {
    const fetch = step('fetch', (x: number) => x);
    const workflow = new SequentialPrimitive([fetch, retry(step('call', (x: number) => x)), new ParallelPrimitive({ news: parallel(step('a', () => 1)), other: fetch }), step('fetch', () => 2)], { name: 'flow' });
    const listed = stepPaths(workflow);
    expect(listed).toEqual(['flow', 'flow/fetch', 'flow/retry(call)', 'flow/retry(call)/call', 'flow/parallel', 'flow/parallel/news', 'flow/parallel/news/a', 'flow/parallel/fetch', 'flow/fetch~2']);
    const ran = await pathsOf(workflow, 1);
    expect(new Set(listed)).toEqual(new Set(ran));
  });
});

describe('run extensions', () => {
  it('are shared by every context of the run and removed with undefined', async () => {
    const key = Symbol('test');
    const context = WorkflowContext.create();
    expect(getRunExtension(context, key)).toBeUndefined();
    setRunExtension(context, key, 'journal');
    const seen: unknown[] = [];
    const registration = registerInstrumentation({ onStart: (execution) => seen.push(getRunExtension(execution.context, key)) });
    try {
      await parallel(step('a', () => 1), step('b', () => 2)).execute(context.child(), undefined);
    } finally {
      registration.dispose();
    }
    expect(seen).toEqual(['journal', 'journal', 'journal']);
    setRunExtension(context, key, undefined);
    expect(getRunExtension(context.child(), key)).toBeUndefined();
  });
});
