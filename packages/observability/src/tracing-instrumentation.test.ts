import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import {
  WorkflowContext,
  WorkflowPrimitive,
  parallel,
  sequential,
  step,
  type AnyPrimitive,
} from '@tta/primitives';
import { emitPrimitiveEvent, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { REDACTED } from '@tta/primitives/logging';
import { parentId, setUpInMemoryTracing, type InMemoryTracing } from './test-support/in-memory-tracing.js';
import { contextFromHeaders } from './trace-context.js';

/** A tiny retry, so these tests do not depend on the real RetryPrimitive. */
class TryTwice<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  constructor(private readonly inner: WorkflowPrimitive<TInput, TOutput>) {
    super('retry', { name: 'try-twice' });
  }
  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    try {
      return await this.inner.execute(context.child({ attempt: 1 }), input);
    } catch (error) {
      emitPrimitiveEvent({ type: 'retry', attempt: 1, delayMs: 0, error }, this, context);
      return this.inner.execute(context.child({ attempt: 2 }), input);
    }
  }
}

/**
 * A primitive that reports an event of its own while it runs. The event is any object, as a
 * JavaScript caller could pass, so these tests also cover fields no PrimitiveEvent declares.
 */
class Reporting extends WorkflowPrimitive<string, string> {
  constructor(private readonly event: object) {
    super('reporting', { name: 'reporting' });
  }
  protected executeImpl(context: WorkflowContext, input: string): Promise<string> {
    emitPrimitiveEvent(this.event as PrimitiveEvent, this, context);
    return Promise.resolve(input);
  }
}

const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
};

const run = <T>(primitive: AnyPrimitive, input: unknown, context = new WorkflowContext({ correlationId: 'run-1' })): Promise<T> =>
  primitive.execute(context, input) as Promise<T>;

describe('createTracingInstrumentation', () => {
  let tracing: InMemoryTracing;
  beforeEach(() => {
    tracing = setUpInMemoryTracing();
  });
  afterEach(async () => {
    await tracing.dispose();
  });

  it('makes one span per execution, named after the primitive, with name, kind and correlation id', async () => {
    await run(step('parse', (text: string) => text.trim()), ' hi ');
    const span = tracing.span('parse');
    expect(span.attributes).toMatchObject({
      'tta.primitive.name': 'parse',
      'tta.primitive.kind': 'step',
      'tta.correlation_id': 'run-1',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(parentId(span)).toBeUndefined();
  });

  it('nests the steps of a sequence under the sequence span, in order, in one trace', async () => {
    const workflow = sequential(
      step('a', (n: number) => n + 1),
      step('b', async (n: number) => n * 2),
      step('c', (n: number) => n - 3),
    );
    expect(await run(workflow, 1)).toBe(1);
    const root = tracing.span('sequential');
    const children = ['a', 'b', 'c'].map((name) => tracing.span(name));
    for (const child of children) {
      expect(parentId(child)).toBe(root.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(root.spanContext().traceId);
    }
    const starts = children.map((child) => child.startTime[0] * 1e9 + child.startTime[1]);
    expect([...starts].sort((x, y) => x - y)).toEqual(starts);
  });

  it('gives each concurrent branch of a parallel run its own span under the parallel span', async () => {
    const gate = deferred();
    const seen: Record<string, string | undefined> = {};
    const branch = (name: string) =>
      step(name, async (n: number) => {
        await gate.promise; // both branches are in flight at the same time
        seen[name] = trace.getActiveSpan()?.spanContext().spanId;
        return n;
      });
    const fanOut = parallel(branch('left'), branch('right'));
    const result = run<number[]>(fanOut, 7);
    await new Promise((resolve) => setImmediate(resolve));
    gate.resolve();
    expect(await result).toEqual([7, 7]);
    const root = tracing.span('parallel');
    for (const name of ['left', 'right']) {
      const span = tracing.span(name);
      expect(parentId(span)).toBe(root.spanContext().spanId);
      expect(seen[name]).toBe(span.spanContext().spanId);
    }
  });

  it('puts every retry attempt under the retry span, marks the failed one and records the retry event', async () => {
    let calls = 0;
    const flaky = step('flaky', () => {
      calls++;
      if (calls === 1) throw new Error('first call fails');
      return 'ok';
    });
    expect(await run(new TryTwice(flaky), null)).toBe('ok');
    const retrySpan = tracing.span('try-twice');
    const attempts = tracing.spans().filter((span) => span.name === 'flaky');
    expect(attempts).toHaveLength(2);
    expect(attempts.map((span) => parentId(span))).toEqual([retrySpan.spanContext().spanId, retrySpan.spanContext().spanId]);
    expect(attempts.map((span) => span.attributes['tta.attempt'])).toEqual([1, 2]);
    expect(attempts.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    const retryEvent = retrySpan.events.find((event) => event.name === 'retry');
    expect(retryEvent?.attributes).toMatchObject({ 'tta.attempt': 1, 'tta.delay_ms': 0, 'tta.error.message': 'first call fails' });
  });

  it('keeps the step span current in user code, across awaits and timers', async () => {
    let before: string | undefined;
    let after: string | undefined;
    await run(
      step('user-code', async () => {
        before = trace.getActiveSpan()?.spanContext().spanId;
        await new Promise((resolve) => setTimeout(resolve, 1));
        after = trace.getActiveSpan()?.spanContext().spanId;
      }),
      null,
    );
    const span = tracing.span('user-code');
    expect(before).toBe(span.spanContext().spanId);
    expect(after).toBe(span.spanContext().spanId);
  });

  it('parents spans that user code starts itself to the step span', async () => {
    await run(
      step('outer', async () => {
        const own = trace.getTracer('user').startSpan('db.query');
        own.end();
      }),
      null,
    );
    expect(parentId(tracing.span('db.query'))).toBe(tracing.span('outer').spanContext().spanId);
  });

  it('records a failure with status ERROR, error.type and an exception event, on the step and its parents', async () => {
    class PaymentDeclined extends Error {
      readonly code = 'PAYMENT_DECLINED';
    }
    const workflow = step('validate', (n: number) => n).pipe(
      step('charge', () => {
        throw new PaymentDeclined('card declined');
      }),
    );
    await expect(run(workflow, 1)).rejects.toThrow('card declined');
    const charge = tracing.span('charge');
    expect(charge.status).toEqual({ code: SpanStatusCode.ERROR, message: 'card declined' });
    expect(charge.attributes['error.type']).toBe('PAYMENT_DECLINED');
    const exception = charge.events.find((event) => event.name === 'exception');
    expect(exception?.attributes).toMatchObject({ 'exception.type': 'PAYMENT_DECLINED', 'exception.message': 'card declined' });
    expect(String(exception?.attributes?.['exception.stacktrace'])).toContain('tracing-instrumentation.test.ts');
    expect(tracing.span('sequential').status.code).toBe(SpanStatusCode.ERROR);
    expect(tracing.span('validate').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('redacts secret-looking event fields and error messages', async () => {
    const leaky = step('call-api', () => {
      throw new Error('Bearer abcdefghijklmnop was refused');
    });
    await expect(run(leaky, null)).rejects.toThrow();
    const span = tracing.span('call-api');
    expect(span.status.message).toBe(REDACTED);
    const exception = span.events.find((event) => event.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe(REDACTED);
    expect(exception?.attributes?.['exception.stacktrace']).toBeUndefined();

    await run(new Reporting({ type: 'fallback', apiKey: 'plain-value', note: 'sk-abcdefghijklmnopqrstuv', index: 1 }), 'x');
    const event = tracing.span('reporting').events.find((candidate) => candidate.name === 'fallback');
    expect(event?.attributes).toMatchObject({ 'tta.api_key': REDACTED, 'tta.note': REDACTED, 'tta.index': 1 });
    expect(JSON.stringify(tracing.spans().map((candidate) => [candidate.attributes, candidate.events]))).not.toMatch(/abcdefghijklmnop|plain-value/);
  });

  it('hides the credential shapes redactText used to miss in exception events, statuses and retry events', async () => {
    const shapes = [
      'sk-live-4f9a2c7e1b',
      'sk_live_aB3dE5fG7hJ9kL2mN4pQ6rS8',
      'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q',
      'xoxb-1234567890123-1234567890123-aB3dE5fG7hJ9kL2mN4pQ6rS8',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.aB3dE5fG7hJ9kL2mN4pQ6rS8',
      'password=hunter2-pw',
      'postgres://app:Tr0ub4dor-3@db/main',
    ];
    for (const shape of shapes) {
      await expect(run(new TryTwice(step('call-api', () => { throw new Error(`upstream said ${shape}`); })), null)).rejects.toThrow();
    }
    const exported = JSON.stringify(tracing.spans().map((span) => [span.name, span.status, span.attributes, span.events]));
    expect(exported).toContain('tta.error.message');
    for (const secret of ['4f9a2c7e1b', 'aB3dE5fG', 'AIzaSy', 'hunter2', 'Tr0ub4dor']) expect(exported).not.toContain(secret);
  });

  it('never names a span or a span attribute after a credential', async () => {
    await run(step('sk-live-4f9a2c7e1b', () => 'ok'), null);
    const exported = JSON.stringify(tracing.spans().map((span) => [span.name, span.attributes]));
    expect(exported).toContain(REDACTED);
    expect(exported).not.toContain('4f9a2c7e1b');
  });

  it('leaves cache keys and values out of span events', async () => {
    await run(new Reporting({ type: 'cache-hit', key: 'summarise: my private prompt', ageMs: 12 }), 'x');
    const span = tracing.span('reporting');
    expect(span.events[0]?.attributes).toMatchObject({ 'tta.age_ms': 12 });
    expect(JSON.stringify(span.events)).not.toContain('private prompt');
  });

  it.each([
    ['cache-hit', 'tta.cache.result', 'hit'],
    ['cache-miss', 'tta.cache.result', 'miss'],
    ['cache-stale', 'tta.cache.result', 'stale'],
    ['circuit-break', 'tta.circuit.state', 'open'],
    ['circuit-half-open', 'tta.circuit.state', 'half-open'],
    ['circuit-reset', 'tta.circuit.state', 'closed'],
    ['circuit-reject', 'tta.circuit.state', 'open'],
  ])('turns a %s event into %s=%s on the current span', async (type, attribute, value) => {
    await run(new Reporting(type === 'circuit-reject' ? { type, state: 'open', retryAfterMs: 5 } : { type }), 'x');
    const span = tracing.span('reporting');
    expect(span.attributes[attribute]).toBe(value);
    expect(span.events.map((event) => event.name)).toEqual([type]);
    expect(span.events[0]?.attributes?.['tta.primitive.name']).toBe('reporting');
  });

  it('reports the state carried by a circuit-reject event (a half-open breaker)', async () => {
    await run(new Reporting({ type: 'circuit-reject', state: 'half-open', retryAfterMs: 0 }), 'x');
    expect(tracing.span('reporting').attributes['tta.circuit.state']).toBe('half-open');
  });

  it('joins the caller trace given by a traceparent header, under the remote parent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const context = contextFromHeaders({ traceparent: `00-${traceId}-${callerSpanId}-01` });
    await run(step('a', (n: number) => n).pipe(step('b', (n: number) => n)), 1, context);
    const root = tracing.span('sequential');
    expect(root.spanContext().traceId).toBe(traceId);
    expect(parentId(root)).toBe(callerSpanId);
    expect(root.parentSpanContext?.isRemote).toBe(true);
    expect(parentId(tracing.span('a'))).toBe(root.spanContext().spanId);
    expect(parentId(tracing.span('b'))).toBe(root.spanContext().spanId);
  });

  it('starts a separate trace for a nested run with its own context inside a step', async () => {
    const inner = step('inner', (n: number) => n);
    await run(
      step('outer', (n: number) => inner.execute(new WorkflowContext({ correlationId: 'nested' }), n)),
      1,
    );
    const outer = tracing.span('outer');
    const nested = tracing.span('inner');
    expect(parentId(nested)).toBe(outer.spanContext().spanId);
    expect(nested.attributes['tta.correlation_id']).toBe('nested');
  });

  it('leaves primitives built with instrument: false out, parenting their children to the nearest span', async () => {
    const hidden = sequential(step('inside', (n: number) => n));
    const quiet = new (class extends WorkflowPrimitive<number, number> {
      constructor() {
        super('hidden', { instrument: false });
      }
      protected executeImpl(context: WorkflowContext, input: number): Promise<number> {
        return hidden.execute(context, input);
      }
    })();
    await run(step('top', (n: number, context) => quiet.execute(context, n)), 1);
    expect(tracing.spans().map((span) => span.name)).not.toContain('hidden');
    expect(parentId(tracing.span('sequential'))).toBe(tracing.span('top').spanContext().spanId);
  });

  it('ignores events reported outside any span', () => {
    expect(() => emitPrimitiveEvent({ type: 'cache-hit', key: 'k', stale: false, ageMs: 0 }, { name: 'x', kind: 'cache' }, undefined)).not.toThrow();
    expect(tracing.spans()).toHaveLength(0);
  });
});
