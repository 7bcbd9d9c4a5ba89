import { describe, expect, it } from 'vitest';
import { SequentialPrimitive, WorkflowContext, metrics, sequential, step } from '@tta/primitives';

describe('SequentialPrimitive', () => {
  it('runs steps in order, each on the previous output', async () => {
    const order: string[] = [];
    const workflow = step('a', (input: number) => (order.push('a'), input + 1))
      .pipe(step('b', async (input: number) => (order.push('b'), input * 10)))
      .pipe(step('c', (input: number) => (order.push('c'), `value ${input}`)));
    await expect(workflow.execute(new WorkflowContext(), 1)).resolves.toBe('value 20');
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('lets later steps see the state written by earlier steps', async () => {
    const write = step('write', (input: string, context) => {
      context.state.set('seen', input);
      return input.length;
    });
    const read = step('read', (length: number, context) => `${String(context.state.get('seen'))}:${length}`);
    const context = new WorkflowContext();
    await expect(write.pipe(read).execute(context, 'hello')).resolves.toBe('hello:5');
    expect(context.state.get('seen')).toBe('hello');
  });

  it('flattens a.pipe(b).pipe(c) into one sequence of three steps', () => {
    const a = step('a', (x: number) => x);
    const workflow = a.pipe(a).pipe(a);
    expect(workflow.steps).toHaveLength(3);
    expect(sequential(a, a, a, a).steps).toHaveLength(4);
  });

  it('keeps a named sequence as one step of the outer sequence', () => {
    const a = step('a', (x: number) => x);
    const inner = new SequentialPrimitive<number, number>([a, a], { name: 'inner' });
    expect(inner.pipe(a).steps).toEqual([inner, a]);
  });

  it('stops before the next step when the context is aborted mid-sequence', async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const workflow = sequential(
      step('first', (x: number) => (ran.push('first'), x)),
      step('abort', (x: number) => {
        ran.push('abort');
        controller.abort(new Error('stop here'));
        return x;
      }),
      step('never', (x: number) => (ran.push('never'), x)),
    );
    const context = WorkflowContext.create({ signal: controller.signal });
    await expect(workflow.execute(context, 1)).rejects.toThrow('stop here');
    expect(ran).toEqual(['first', 'abort']);
  });

  it('rejects at once with the reason when the context is already aborted', async () => {
    let called = false;
    const workflow = step('s', () => (called = true));
    const context = WorkflowContext.create({ signal: AbortSignal.abort('gone') });
    await expect(workflow.execute(context, undefined)).rejects.toBe('gone');
    expect(called).toBe(false);
  });

  it('turns a synchronous throw in a step into a rejection naming the cause', async () => {
    const workflow = step('ok', (x: number) => x).pipe(
      step('bad', (): number => {
        throw new RangeError('bad input');
      }),
    );
    await expect(workflow.execute(new WorkflowContext(), 1)).rejects.toBeInstanceOf(RangeError);
  });

  it('records each step once in the metrics, failures included', async () => {
    metrics.reset();
    const ok = step('seq-ok', (x: number) => x);
    const bad = step('seq-bad', (): number => {
      throw new Error('no');
    });
    await ok.pipe(ok).execute(new WorkflowContext(), 1);
    await expect(ok.pipe(bad).execute(new WorkflowContext(), 1)).rejects.toThrow('no');
    const snapshot = metrics.snapshot();
    expect(snapshot['seq-ok']).toMatchObject({ count: 3, successes: 3, failures: 0 });
    expect(snapshot['seq-bad']).toMatchObject({ count: 1, successes: 0, failures: 1 });
    expect(snapshot['sequential']).toMatchObject({ successes: 1, failures: 1 });
  });

  it('refuses an empty list of steps or a non-primitive step at construction', () => {
    expect(() => new SequentialPrimitive([])).toThrow(/non-empty/);
    expect(() => new SequentialPrimitive([{} as never])).toThrow(/steps\[0\]" is not a WorkflowPrimitive/);
  });
});

describe('custom primitives', () => {
  it('take their kind and default name from the class name when none is given', async () => {
    const { InstrumentedPrimitive } = await import('@tta/primitives');
    class TruncateTextPrimitive extends InstrumentedPrimitive<string, string> {
      constructor(options?: { name?: string }) {
        super(options);
      }
      protected async executeImpl(_context: WorkflowContext, input: string): Promise<string> {
        return input.slice(0, 3);
      }
    }
    expect(new TruncateTextPrimitive().kind).toBe('truncate-text');
    expect(new TruncateTextPrimitive().name).toBe('truncate-text');
    expect(new TruncateTextPrimitive({ name: 'short' }).name).toBe('short');
    await expect(new TruncateTextPrimitive().execute(new WorkflowContext(), 'abcdef')).resolves.toBe('abc');
  });
});
