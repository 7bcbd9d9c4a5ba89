import { afterEach, describe, expect, it, vi } from 'vitest';
import { SequentialPrimitive, WorkflowContext, metrics, step, type Disposable } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { emitPrimitiveEvent, getInstrumentations, registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';

describe('registerInstrumentation', () => {
  const registrations: Disposable[] = [];
  afterEach(() => registrations.splice(0).forEach((registration) => registration.dispose()));

  it('wraps every execution with around, calls start/end, and nests through a sequence', async () => {
    const log: string[] = [];
    registrations.push(
      registerInstrumentation({
        onStart: (execution) => log.push(`start ${execution.name}`),
        around: async (execution, run) => {
          log.push(`enter ${execution.name}`);
          try {
            return await run();
          } finally {
            log.push(`leave ${execution.name}`);
          }
        },
        onEnd: (execution, result) => log.push(`end ${execution.name} ${result.status}`),
      }),
    );
    const workflow = step('a', (x: number) => x + 1).pipe(step('b', (x: number) => x * 2));
    await expect(workflow.execute(new WorkflowContext(), 1)).resolves.toBe(4);
    expect(log).toEqual([
      'start sequential', 'enter sequential',
      'start a', 'enter a', 'leave a', 'end a success',
      'start b', 'enter b', 'leave b', 'end b success',
      'leave sequential', 'end sequential success',
    ]);
  });

  it('reports the steps of a sequence in order without an around, a failed one with its error', async () => {
    const log: string[] = [];
    const results: unknown[] = [];
    registrations.push(
      registerInstrumentation({
        onStart: (execution) => log.push(`start ${execution.path} ${String(execution.input)}`),
        onEnd: (execution, result) => {
          log.push(`end ${execution.path} ${result.status}`);
          results.push(result);
        },
      }),
      // A second instrumentation whose onEnd throws: reported, and the first still sees every end.
      registerInstrumentation({ onEnd: () => { throw new Error('bad end'); } }),
    );
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    const error = new Error('boom');
    try {
      const quiet = step('quiet', (x: number) => x, { instrument: false });
      const workflow = step('a', (x: number) => x + 1).pipe(quiet).pipe(step('b', () => Promise.reject(error))).pipe(step('c', (x: number) => x));
      await expect(workflow.execute(new WorkflowContext(), 1)).rejects.toBe(error);
      expect(log).toEqual(['start sequential 1', 'start sequential/a 1', 'end sequential/a success', 'start sequential/b 2', 'end sequential/b failure', 'end sequential failure']);
      expect(results).toEqual([
        { status: 'success', durationMs: expect.any(Number) },
        { status: 'failure', durationMs: expect.any(Number), error },
        { status: 'failure', durationMs: expect.any(Number), error },
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(report).toHaveBeenCalledWith(expect.stringContaining('hook threw'), expect.objectContaining({ message: 'bad end' }));
    } finally {
      report.mockRestore();
    }
  });

  it('reads the clock once at the boundary between two steps of a sequence, and times each step exactly', async () => {
    const clock = new ManualClock(0);
    let clockReads = 0;
    const countingClock = { now: () => (clockReads++, clock.now()), setTimeout: clock.setTimeout.bind(clock), clearTimeout: clock.clearTimeout.bind(clock) };
    const previousClock = metrics.clock;
    const durations: string[] = [];
    registrations.push(registerInstrumentation({ onEnd: (execution, result) => durations.push(`${execution.name} ${result.durationMs}`) }));
    metrics.configure({ clock: countingClock });
    try {
      const workflow = new SequentialPrimitive([step('a', (x: number) => (clock.advance(5), x)), step('b', (x: number) => (clock.advance(7), x))], { name: 'pair' });
      await workflow.execute(new WorkflowContext(), 1);
    } finally {
      metrics.configure({ clock: previousClock });
    }
    expect(durations).toEqual(['a 5', 'b 7', 'pair 12']);
    // The sequence's start and end, a's start, a's end (which is b's start), b's end.
    expect(clockReads).toBe(5);
  });

  it('reports failures with the error and keeps the rejection', async () => {
    const results: unknown[] = [];
    registrations.push(registerInstrumentation({ onEnd: (_execution, result) => results.push(result) }));
    const error = new Error('boom');
    await expect(step('x', () => Promise.reject(error)).execute(new WorkflowContext(), undefined)).rejects.toBe(error);
    expect(results).toEqual([expect.objectContaining({ status: 'failure', error })]);
  });

  it('skips primitives created with instrument: false', async () => {
    const names: string[] = [];
    registrations.push(registerInstrumentation({ onStart: (execution) => names.push(execution.name) }));
    await step('quiet', (x: number) => x, { instrument: false }).execute(new WorkflowContext(), 1);
    expect(names).toEqual([]);
  });

  it('keeps running the workflow when an instrumentation throws', async () => {
    registrations.push(registerInstrumentation({ onStart: () => { throw new Error('bad hook'); } }));
    const report = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await expect(step('y', (x: number) => x).execute(new WorkflowContext(), 3)).resolves.toBe(3);
      await new Promise((resolve) => setImmediate(resolve));
      expect(report).toHaveBeenCalledWith(expect.stringContaining('hook threw'), expect.objectContaining({ message: 'bad hook' }));
    } finally {
      report.mockRestore();
    }
  });

  it('delivers primitive events and stops after dispose', () => {
    const events: unknown[] = [];
    const registration = registerInstrumentation({ onEvent: (event, source) => events.push([event.type, source.name]) });
    emitPrimitiveEvent({ type: 'retry', attempt: 2, delayMs: 0, error: undefined }, { name: 'llm', kind: 'retry' }, undefined);
    registration.dispose();
    emitPrimitiveEvent({ type: 'retry', attempt: 3, delayMs: 0, error: undefined }, { name: 'llm', kind: 'retry' }, undefined);
    expect(events).toEqual([['retry', 'llm']]);
    expect(getInstrumentations()).toEqual([]);
  });
});

describe('emitPrimitiveEvent', () => {
  it('redacts credentials in text fields (a cache key made from an input) and passes objects as they are', () => {
    const received: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => received.push(event) });
    const error = new Error('kept');
    const event = { type: 'cache-error', key: 'j:{"password":"hunter2-Xy9","q":"weather"}', phase: 'get', error } as const;
    try {
      emitPrimitiveEvent(event, { name: 'lookup', kind: 'cache' }, undefined);
      emitPrimitiveEvent({ type: 'cache-hit', key: 'j:{"q":"weather"}', stale: false, ageMs: 1 }, { name: 'lookup', kind: 'cache' }, undefined);
    } finally {
      registration.dispose();
    }
    expect(received[0]).toEqual({ type: 'cache-error', key: 'j:{"password":"[REDACTED]","q":"weather"}', phase: 'get', error });
    expect(received[0]!.type === 'cache-error' && received[0]!.error).toBe(error);
    expect(event.key).toContain('hunter2-Xy9');
    expect(received[1]).toEqual({ type: 'cache-hit', key: 'j:{"q":"weather"}', stale: false, ageMs: 1 });
  });

  it('drops an event it cannot read (a revoked proxy) without throwing into the primitive', async () => {
    const received: unknown[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => received.push(event) });
    const previous = globalThis.reportError;
    const reported: unknown[] = [];
    globalThis.reportError = (error: unknown) => void reported.push(error);
    const { proxy, revoke } = Proxy.revocable({ type: 'custom', key: 'x' }, {});
    revoke();
    try {
      expect(() => emitPrimitiveEvent(proxy as never, { name: 'custom', kind: 'custom' }, undefined)).not.toThrow();
      await Promise.resolve();
    } finally {
      globalThis.reportError = previous;
      registration.dispose();
    }
    expect(received).toEqual([]);
    expect(reported).toHaveLength(1);
  });
});
