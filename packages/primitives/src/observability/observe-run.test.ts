import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ParallelPrimitive, SequentialPrimitive, WorkflowContext, batch, circuitBreaker, metrics, parallel, retry, step, type Disposable } from '@tta/primitives';
import { registerInstrumentation, type Instrumentation } from '@tta/primitives/instrumentation';

/** An instrumentation that logs everything it hears, deciding each run with `decide`. */
function listening(log: string[], decide?: (rootName: string) => boolean): Instrumentation {
  return {
    ...(decide === undefined ? {} : { observeRun: (root: { readonly name: string }) => decide(root.name) }),
    onStart: (execution) => log.push(`start ${execution.path}`),
    onEnd: (execution, result) => log.push(`end ${execution.path} ${result.status}`),
    onEvent: (event, source) => log.push(`event ${event.type} ${source.name}`),
  };
}

let failures = 0;
const flaky = step('flaky', async (x: number) => {
  if (failures++ % 2 === 0) throw new Error('transient');
  return x + 1;
});
const workflow = step('first', async (x: number) => x * 2)
  .pipe(retry(flaky, { maxAttempts: 2, initialDelayMs: 0 }))
  .pipe(parallel({ left: step('left', async (x: number) => x), right: step('right', async (x: number) => -x) }));

describe('Instrumentation.observeRun', () => {
  const registrations: Disposable[] = [];
  beforeEach(() => {
    failures = 0;
    metrics.reset();
  });
  afterEach(() => registrations.splice(0).forEach((registration) => registration.dispose()));

  it('hears nothing of a run it declines, neither executions nor events, and all of a run it accepts', async () => {
    const log: string[] = [];
    let runs = 0;
    registrations.push(registerInstrumentation(listening(log, () => runs++ % 2 === 1)));
    await expect(workflow.run(1)).resolves.toEqual({ left: 3, right: -3 });
    expect(log).toEqual([]);
    await expect(workflow.execute(new WorkflowContext(), 1)).resolves.toEqual({ left: 3, right: -3 });
    expect(log).toContain('start sequential');
    expect(log).toContain('start sequential/retry(flaky)/flaky#2');
    expect(log).toContain('start sequential/parallel/right');
    expect(log).toContain('event retry retry(flaky)');
    expect(log.at(-1)).toBe('end sequential success');
    expect(runs).toBe(2);
  });

  it('asks once per run, at its root, also on a context the caller runs again', async () => {
    const asked: string[] = [];
    let accept = false;
    registrations.push(registerInstrumentation({ observeRun: (root) => (asked.push(root.name), (accept = !accept)) }));
    const context = new WorkflowContext();
    await workflow.execute(context, 1);
    await workflow.execute(context, 1);
    await workflow.run(1);
    await workflow.run(1, { deadline: Date.now() + 60_000, signal: new AbortController().signal });
    expect(asked).toEqual(['sequential', 'sequential', 'sequential', 'sequential']);
  });

  it('runs a run every instrumentation declines as with none registered: counted by the metrics, no step paths', async () => {
    const keys: (string | undefined)[] = [];
    const charge = step('charge', async (cents: number, context) => {
      keys.push(context.idempotencyKey);
      return cents;
    });
    registrations.push(registerInstrumentation({ observeRun: () => false, onStart: () => expect.unreachable('declined') }));
    registrations.push(registerInstrumentation({ observeRun: () => false }));
    await charge.execute(new WorkflowContext({ runId: 'job-1' }), 5);
    await workflow.run(1);
    expect(keys).toEqual([undefined]);
    const snapshot = metrics.snapshot();
    expect(snapshot['charge']?.successes).toBe(1);
    expect(snapshot['sequential']?.successes).toBe(1);
    expect(snapshot['flaky']).toMatchObject({ successes: 1, failures: 1 });
    expect(snapshot['left']?.successes).toBe(1);
  });

  it('gives a run to the instrumentations that accept it only', async () => {
    const declined: string[] = [];
    const accepted: string[] = [];
    const keys: (string | undefined)[] = [];
    registrations.push(registerInstrumentation(listening(declined, () => false)));
    registrations.push(registerInstrumentation(listening(accepted, () => true)));
    registrations.push(registerInstrumentation(listening(accepted)));
    const charge = step('charge', async (cents: number, context) => {
      keys.push(context.idempotencyKey);
      return cents;
    });
    await charge.execute(new WorkflowContext({ runId: 'job-2' }), 5);
    await workflow.run(1);
    expect(declined).toEqual([]);
    // Both accepting ones hear each execution.
    expect(accepted.filter((line) => line === 'start sequential/retry(flaky)/flaky#2')).toHaveLength(2);
    expect(accepted.filter((line) => line === 'event retry retry(flaky)')).toHaveLength(2);
    expect(keys).toEqual(['job-2:charge']);
  });

  it('declines only on false: any other answer observes the run', async () => {
    const log: string[] = [];
    registrations.push(registerInstrumentation({ ...listening(log), observeRun: () => undefined as unknown as boolean }));
    registrations.push(registerInstrumentation({ observeRun: () => 0 as unknown as boolean }));
    await workflow.run(1);
    expect(log).toContain('end sequential success');
  });

  it('counts a throwing observeRun as observing, and reports the throw', async () => {
    const log: string[] = [];
    const reported: unknown[] = [];
    const previous = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void reported.push(error);
    try {
      registrations.push(
        registerInstrumentation({
          ...listening(log),
          observeRun: () => {
            throw new Error('sampler broke');
          },
        }),
      );
      await workflow.run(1);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      globalThis.reportError = previous;
    }
    expect(log).toContain('end sequential success');
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toContain('sampler broke');
  });

  it('asks at the first step of a run whose root is left out of the seam (instrument: false)', async () => {
    const asked: string[] = [];
    const heard: string[] = [];
    registrations.push(registerInstrumentation({ observeRun: (root) => (asked.push(root.name), false), onStart: (execution) => heard.push(execution.path) }));
    const f = async (x: number) => x + 1;
    await new SequentialPrimitive([step('a', f), step('b', f)], { instrument: false }).run(1);
    expect(asked).toEqual(['a', 'b']);
    expect(heard).toEqual([]);
    // Each branch of an unobserved parallel is its own run to the seam.
    await new ParallelPrimitive([step('x', f), step('y', f)], { instrument: false }).run(1);
    expect(asked).toEqual(['a', 'b', 'x', 'y']);
    expect(heard).toEqual([]);
  });

  it('stops telling a run to an instrumentation disposed during it, and tells the rest to one registered during it', async () => {
    const heardByLeaving: string[] = [];
    const heardByJoining: string[] = [];
    registrations.push(registerInstrumentation({ observeRun: () => false }));
    const leaving = registerInstrumentation({ onStart: (execution) => heardByLeaving.push(execution.path) });
    const f = async (x: number) => x + 1;
    const workflow = step('first', async (x: number) => {
      leaving.dispose();
      registrations.push(registerInstrumentation({ onStart: (execution) => heardByJoining.push(execution.path) }));
      return x;
    }).pipe(step('second', f));
    await workflow.run(1);
    expect(heardByLeaving).toEqual(['sequential', 'sequential/first']);
    expect(heardByJoining).toEqual(['sequential/second']);
  });

  it('runs a batch on the context of a caller whose run is observed', async () => {
    const log: string[] = [];
    registrations.push(registerInstrumentation({ ...listening(log, () => true), observeRun: (_root, context) => context.data['keep'] === true }));
    const inner = step('inner', async (values: number[]) => values.map((value) => value * 10));
    const batched = batch(inner, { maxBatchSize: 2, maxWaitMs: 1_000 });
    await expect(Promise.all([batched.execute(new WorkflowContext({ data: { keep: false } }), 1), batched.execute(new WorkflowContext({ data: { keep: true } }), 2)])).resolves.toEqual([10, 20]);
    expect(log).toContain('event batch batch(inner)');
    expect(log).toContain('start batch(inner)/inner');
  });

  it('tells every instrumentation that a circuit opened or closed, also from a run it declined', async () => {
    const events: string[] = [];
    registrations.push(registerInstrumentation({ observeRun: () => false, onEvent: (event) => events.push(event.type) }));
    let fail = true;
    const breaker = circuitBreaker(
      step('flaky-call', async (x: number) => {
        if (fail) throw new Error('down');
        return x;
      }),
      { failureThreshold: 1, breakDurationMs: 1 },
    );
    await expect(breaker.run(1)).rejects.toThrow('down');
    await new Promise((resolve) => setTimeout(resolve, 5));
    fail = false;
    await expect(breaker.run(1)).resolves.toBe(1);
    expect(events).toEqual(['circuit-break', 'circuit-half-open', 'circuit-reset']);
  });
});
