import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpanKind, type TracerProvider } from '@opentelemetry/api';
import { WorkflowContext, parallel, retry, sequential, step } from '@tta/primitives';
import { contextFromHeaders, getObservabilityStatus, initializeObservability, injectHeaders, shutdownObservability } from '../src/index.js';
import { freePort } from '../src/test-support/services.js';

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes?: ReadonlyArray<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
  readonly status?: { code?: number };
}

interface Received {
  readonly spans: OtlpSpan[];
  readonly resources: Array<Record<string, string | undefined>>;
  readonly contentTypes: string[];
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });

/** A minimal OTLP/HTTP JSON trace receiver. */
async function startReceiver(): Promise<{ url: string; received: Received; close(): Promise<void> }> {
  const received: Received = { spans: [], resources: [], contentTypes: [] };
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      received.contentTypes.push(String(request.headers['content-type']));
      const payload = JSON.parse(body) as {
        resourceSpans: Array<{ resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
      };
      for (const resourceSpans of payload.resourceSpans) {
        const resource: Record<string, string | undefined> = {};
        for (const attribute of resourceSpans.resource?.attributes ?? []) resource[attribute.key] = attribute.value.stringValue;
        received.resources.push(resource);
        for (const scope of resourceSpans.scopeSpans) received.spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A downstream HTTP service that remembers the traceparent of each call. */
async function startDownstream(): Promise<{ url: string; traceparents: string[]; close(): Promise<void> }> {
  const traceparents: string[] = [];
  const server = createServer((request, response) => {
    traceparents.push(String(request.headers.traceparent));
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"price":42}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, traceparents, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const attribute = (span: OtlpSpan, key: string): string | number | undefined => {
  const value = span.attributes?.find((candidate) => candidate.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

describe('OTLP export over HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let downstream: Awaited<ReturnType<typeof startDownstream>>;
  beforeEach(async () => {
    receiver = await startReceiver();
    downstream = await startDownstream();
  });
  afterEach(async () => {
    await shutdownObservability();
    await receiver.close();
    await downstream.close();
  });

  it('delivers the trace tree of a run (sequential, parallel, retries, an HTTP call) to the receiver', async () => {
    expect(
      await initializeObservability({ otlpEndpoint: receiver.url, serviceName: 'checkout', serviceVersion: '1.2.3', enablePrometheus: false }),
    ).toBe(true);
    let attempts = 0;
    const workflow = sequential(
      step('load-order', (id: string) => ({ id })),
      parallel(
        step('price', async (order: { id: string }, context) => {
          const response = await fetch(`${downstream.url}/price/${order.id}`, { headers: injectHeaders(context) });
          return ((await response.json()) as { price: number }).price;
        }),
        retry(
          step('reserve-stock', () => {
            attempts++;
            if (attempts < 3) throw new Error('stock service busy');
            return true;
          }),
          { name: 'reserve-with-retry', maxAttempts: 3, initialDelayMs: 0, jitter: 'none' },
        ),
      ),
    );
    const callerTraceId = '0af7651916cd43dd8448eb211c80319c';
    const callerSpanId = 'b7ad6b7169203331';
    const context = contextFromHeaders({ traceparent: `00-${callerTraceId}-${callerSpanId}-01` }, { correlationId: 'order-7' });
    expect(await workflow.execute(context, 'o-1')).toEqual([42, true]);
    await shutdownObservability(); // flushes the batch

    const spans = receiver.received.spans;
    expect(receiver.received.contentTypes.every((type) => type.includes('application/json'))).toBe(true);
    expect(receiver.received.resources[0]).toMatchObject({ 'service.name': 'checkout', 'service.version': '1.2.3' });
    const byName = (name: string) => spans.filter((span) => span.name === name);
    const one = (name: string) => {
      const found = byName(name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([callerTraceId]));
    const root = one('sequential');
    expect(root.parentSpanId).toBe(callerSpanId);
    expect(one('load-order').parentSpanId).toBe(root.spanId);
    const fanOut = one('parallel');
    expect(fanOut.parentSpanId).toBe(root.spanId);
    const price = one('price');
    expect(price.parentSpanId).toBe(fanOut.spanId);
    const retrySpan = one('reserve-with-retry');
    expect(retrySpan.parentSpanId).toBe(fanOut.spanId);
    const tries = byName('reserve-stock');
    expect(tries).toHaveLength(3);
    expect(tries.every((span) => span.parentSpanId === retrySpan.spanId)).toBe(true);
    expect(tries.map((span) => attribute(span, 'tta.attempt')).sort()).toEqual([1, 2, 3]);
    expect(tries.filter((span) => span.status?.code === 2)).toHaveLength(2);
    expect(attribute(root, 'tta.correlation_id')).toBe('order-7');
    expect(attribute(retrySpan, 'tta.primitive.kind')).toBe('retry');
    // The outgoing call carried the price step as its parent.
    expect(downstream.traceparents).toEqual([`00-${callerTraceId}-${price.spanId}-01`]);
  });

  it('registers OpenTelemetry instrumentations, whose client spans inside a step are children of the step', async () => {
    // A stand-in for an HTTP client instrumentation: it wraps a client and starts a CLIENT span per call.
    class FakeClientInstrumentation {
      readonly instrumentationName = 'fake-http-client';
      provider: TracerProvider | undefined;
      enabled = false;
      setTracerProvider(provider: unknown): void {
        this.provider = provider as TracerProvider;
      }
      setMeterProvider(): void {}
      enable(): void {
        this.enabled = true;
      }
      disable(): void {
        this.enabled = false;
      }
      getConfig(): { enabled: boolean } {
        return { enabled: this.enabled };
      }
      async get(url: string): Promise<number> {
        if (!this.enabled || this.provider === undefined) return (await fetch(url)).status;
        const span = this.provider.getTracer(this.instrumentationName).startSpan('GET', { kind: SpanKind.CLIENT });
        try {
          return (await fetch(url)).status;
        } finally {
          span.end();
        }
      }
    }
    const client = new FakeClientInstrumentation();
    expect(await initializeObservability({ otlpEndpoint: receiver.url, enablePrometheus: false, instrumentations: [client] })).toBe(true);
    expect(client.enabled).toBe(true);
    await step('call-pricing', () => client.get(downstream.url)).execute(new WorkflowContext(), null);
    await shutdownObservability();
    expect(client.enabled).toBe(false);
    const stepSpan = receiver.received.spans.find((span) => span.name === 'call-pricing');
    const clientSpan = receiver.received.spans.find((span) => span.name === 'GET');
    expect(clientSpan?.parentSpanId).toBe(stepSpan?.spanId);
    expect(clientSpan?.traceId).toBe(stepSpan?.traceId);
  });

  it('samples by ratio for new traces but follows a sampled caller', async () => {
    expect(await initializeObservability({ otlpEndpoint: receiver.url, sampleRatio: 0, enablePrometheus: false })).toBe(true);
    const workflow = step('unsampled-or-not', (n: number) => n);
    await workflow.execute(new WorkflowContext(), 1);
    const sampledCaller = contextFromHeaders({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await workflow.execute(sampledCaller, 2);
    await shutdownObservability();
    expect(receiver.received.spans.map((span) => span.traceId)).toEqual(['0af7651916cd43dd8448eb211c80319c']);
  });

  it('keeps the application running when the collector port is closed, and shutdown still resolves', async () => {
    const closedPort = await freePort();
    const lines: string[] = [];
    expect(
      await initializeObservability({
        otlpEndpoint: `http://127.0.0.1:${closedPort}`,
        exportTimeoutMs: 1_500,
        enablePrometheus: false,
        logger: { warn: (_fields, message) => void lines.push(message ?? '') },
      }),
    ).toBe(true);
    const workflow = step('a', (n: number) => n + 1).pipe(step('b', (n: number) => n * 2));
    for (let index = 0; index < 20; index++) expect(await workflow.execute(new WorkflowContext(), index)).toBe((index + 1) * 2);
    const started = Date.now();
    await expect(shutdownObservability()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(8_000); // bounded by exportTimeoutMs (+1 s), not the default 10 s
    expect(lines.join('\n')).toMatch(new RegExp(`spans could not be flushed to http://127\\.0\\.0\\.1:${closedPort}/v1/traces`));
  }, 20_000);

  it('logs the first failed export once while the service runs, with the credentials in the endpoint redacted', async () => {
    const closedPort = await freePort();
    const lines: string[] = [];
    expect(
      await initializeObservability({
        otlpEndpoint: `http://collector-user:s3cret-pass@127.0.0.1:${closedPort}`,
        // Short, so that each refused export gives up at once instead of retrying.
        exportTimeoutMs: 200,
        enablePrometheus: false,
        logger: { warn: (_fields, message) => void lines.push(message ?? '') },
      }),
    ).toBe(true);
    // 2,000 spans fill several 512-span batches, each exported (and refused) while the service runs.
    const workflow = step('busy', (n: number) => n + 1);
    for (let index = 0; index < 2_000; index++) await workflow.execute(new WorkflowContext(), index);
    await vi.waitFor(() => expect(getObservabilityStatus().failedExports).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 50 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^@tta/observability: spans could not be exported to http://\\[REDACTED\\]@127\\.0\\.0\\.1:${closedPort}/v1/traces: .*ECONNREFUSED`));
    expect(lines[0]).not.toContain('s3cret-pass');
    await shutdownObservability();
    expect(lines).toHaveLength(1);
  }, 20_000);
});

