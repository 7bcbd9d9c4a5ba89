import { afterEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { WorkflowContext, step } from '@tta/primitives';
import { contextFromHeaders, injectHeaders } from './trace-context.js';
import { setUpInMemoryTracing, type InMemoryTracing } from './test-support/in-memory-tracing.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const traceparent = `00-${traceId}-${spanId}-01`;

describe('contextFromHeaders', () => {
  it('reads traceparent and tracestate into parentSpanContext', () => {
    const context = contextFromHeaders({ traceparent, tracestate: 'vendor=abc,other=1' });
    expect(context.parentSpanContext).toEqual({ traceId, spanId, traceFlags: 1, isRemote: true, traceState: 'vendor=abc,other=1' });
  });

  it('accepts fetch Headers and header names in any case', () => {
    expect(contextFromHeaders(new Headers({ TraceParent: traceparent })).parentSpanContext?.spanId).toBe(spanId);
    expect(contextFromHeaders({ Traceparent: traceparent }).parentSpanContext?.traceId).toBe(traceId);
  });

  it('gives a context without parent for a missing or malformed traceparent', () => {
    expect(contextFromHeaders({}).parentSpanContext).toBeUndefined();
    expect(contextFromHeaders({ traceparent: 'not-a-trace' }).parentSpanContext).toBeUndefined();
    expect(contextFromHeaders({ traceparent: `00-${'0'.repeat(32)}-${spanId}-01` }).parentSpanContext).toBeUndefined();
  });

  it('reads W3C baggage, with explicit baggage taking precedence', () => {
    const context = contextFromHeaders({ baggage: 'tenant=acme,plan=pro' }, { baggage: { plan: 'free' } });
    expect(context.baggage).toEqual({ tenant: 'acme', plan: 'free' });
  });

  it('takes the correlation id from x-correlation-id unless one is given', () => {
    expect(contextFromHeaders({ 'x-correlation-id': 'req-42' }).correlationId).toBe('req-42');
    expect(contextFromHeaders({ 'x-correlation-id': 'req-42' }, { correlationId: 'mine' }).correlationId).toBe('mine');
    expect(contextFromHeaders({ 'x-request-id': 'r-7' }, { correlationIdHeader: 'X-Request-Id' }).correlationId).toBe('r-7');
    expect(contextFromHeaders({ 'x-correlation-id': 'x'.repeat(200) }).correlationId).not.toBe('x'.repeat(200));
    for (const hostile of ['a\u0085b\u009b[31mred', 'forged\n{"level":"error"}', 'a b', '\u00e9t\u00e9']) {
      expect(contextFromHeaders({ 'x-correlation-id': hostile }).correlationId).toMatch(/^[\x21-\x7e]+$/);
    }
  });

  it('passes the other workflow options through', () => {
    const context = contextFromHeaders({ traceparent }, { data: { user: 'u1' }, timeoutMs: 5_000 });
    expect(context.data).toEqual({ user: 'u1' });
    expect(context.deadline).toBeDefined();
  });
});

describe('injectHeaders', () => {
  let tracing: InMemoryTracing | undefined;
  afterEach(async () => {
    await tracing?.dispose();
    tracing = undefined;
  });

  it('writes the run parent and baggage when no span is active (no SDK needed)', () => {
    const context = new WorkflowContext({ parentSpanContext: { traceId, spanId, traceFlags: 1 }, baggage: { tenant: 'acme' } });
    const headers = injectHeaders(context, { accept: 'application/json' });
    expect(headers).toEqual({ accept: 'application/json', traceparent, baggage: 'tenant=acme' });
  });

  it('round-trips through contextFromHeaders', () => {
    const original = contextFromHeaders({ traceparent, tracestate: 'vendor=abc' });
    const again = contextFromHeaders(injectHeaders(original));
    expect(again.parentSpanContext).toEqual(original.parentSpanContext);
  });

  it('writes nothing for a context without trace parent outside a span', () => {
    expect(injectHeaders(new WorkflowContext())).toEqual({});
    expect(injectHeaders(undefined)).toEqual({});
  });

  it('uses the current step span as parent inside a step, and writes to fetch Headers', async () => {
    tracing = setUpInMemoryTracing();
    const outgoing = new Headers();
    let active: string | undefined;
    await step('call-downstream', (_: null, context) => {
      active = trace.getActiveSpan()?.spanContext().spanId;
      injectHeaders(context, outgoing);
    }).execute(contextFromHeaders({ traceparent }), null);
    const span = tracing.span('call-downstream');
    expect(active).toBe(span.spanContext().spanId);
    expect(outgoing.get('traceparent')).toBe(`00-${traceId}-${span.spanContext().spanId}-01`);
  });
});
