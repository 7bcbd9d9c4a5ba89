import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { context, propagation, trace, isSpanContextValid } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { WorkflowContext, step } from '@tta/primitives';
import { getInstrumentations } from '@tta/primitives/instrumentation';
import { getMetricsRegistry, getObservabilityStatus, initializeObservability, shutdownObservability, type ObservabilityOptions } from '../src/index.js';
import { freePort } from '../src/test-support/services.js';

const closedEndpoint = async (): Promise<string> => `http://127.0.0.1:${await freePort()}`;

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: { warn: (_fields: Record<string, unknown>, message?: string) => void lines.push(message ?? '') } };
}

const globalProviderRegistered = (): boolean => isSpanContextValid(trace.getTracer('check').startSpan('check').spanContext());

describe('initializeObservability', () => {
  afterEach(async () => {
    await shutdownObservability();
    vi.restoreAllMocks();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a port out of range', { metricsPort: 70_000 }, /metricsPort: .*65535/],
    ['a sample ratio above 1', { sampleRatio: 1.5 }, /sampleRatio/],
    ['a non-URL endpoint', { otlpEndpoint: 'collector:4318' }, /otlpEndpoint: must be an http\(s\) URL/],
    ['an unknown option (a typo)', { servicename: 'x' }, /servicename/],
    ['a wrong type', { enableTracing: 'yes' }, /enableTracing/],
    ['something that is not an instrumentation', { instrumentations: [{}] }, /instrumentations\.0: must be an OpenTelemetry Instrumentation/],
  ])('returns false and logs one line naming the problem for %s', async (_case, options, pattern) => {
    const { lines, logger } = recordingLogger();
    const before = getInstrumentations().length;
    expect(await initializeObservability({ ...options, logger } as ObservabilityOptions)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@tta\/observability not initialised, the application continues without it: invalid options: /);
    expect(lines[0]).toMatch(pattern);
    expect(lines[0]).not.toContain('\n');
    expect(getInstrumentations()).toHaveLength(before);
    expect(getObservabilityStatus()).toMatchObject({ initialized: false, lastFailure: { reason: 'invalid-options' } });
  });

  it('writes the failure line with console.warn when no logger is given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await initializeObservability({ sampleRatio: -1 })).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/invalid options: sampleRatio/);
  });

  it('returns false when the metrics port is in use, keeps tracing running and names the metrics part in its one line', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const { lines, logger } = recordingLogger();
    const before = getInstrumentations().length;
    try {
      expect(await initializeObservability({ metricsPort: port, otlpEndpoint: await closedEndpoint(), logger })).toBe(false);
    } finally {
      blocker.close();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@tta\/observability partly initialised: Prometheus metrics are off/);
    expect(lines[0]).toMatch(new RegExp(`metrics port ${port} on 127\\.0\\.0\\.1 is already in use`));
    expect(lines[0]).toMatch(/tracing is on/);
    expect(getInstrumentations()).toHaveLength(before + 1);
    expect(globalProviderRegistered()).toBe(true);
    expect(getObservabilityStatus()).toMatchObject({ initialized: true, tracing: 'sdk', prometheus: false, lastFailure: { reason: 'metrics-port' } });
    // A second call answers the same, without starting anything twice.
    expect(await initializeObservability({ metricsPort: 0, logger })).toBe(false);
    expect(getInstrumentations()).toHaveLength(before + 1);
    await shutdownObservability();
    expect(getInstrumentations()).toHaveLength(before);
    expect(globalProviderRegistered()).toBe(false);
  });

  it('returns false when the metrics port is in use and tracing is off, and leaves nothing registered or running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const { lines, logger } = recordingLogger();
    const before = getInstrumentations().length;
    try {
      expect(await initializeObservability({ metricsPort: port, enableTracing: false, logger })).toBe(false);
    } finally {
      blocker.close();
    }
    expect(lines).toEqual([expect.stringMatching(new RegExp(`metrics port ${port} on 127\\.0\\.0\\.1 is already in use`))]);
    expect(getInstrumentations()).toHaveLength(before);
    expect(globalProviderRegistered()).toBe(false);
    expect(getObservabilityStatus()).toMatchObject({ initialized: false, prometheus: false, lastFailure: { reason: 'metrics-port' } });
    // The application keeps working.
    await expect(step('still-works', () => 'yes').execute(new WorkflowContext(), null)).resolves.toBe('yes');
  });

  it('registers once: a second and a concurrent call return true without duplicate registration', async () => {
    const before = getInstrumentations().length;
    const options = { metricsPort: 0, otlpEndpoint: await closedEndpoint() };
    const [first, concurrent] = await Promise.all([initializeObservability(options), initializeObservability(options)]);
    expect([first, concurrent]).toEqual([true, true]);
    expect(getInstrumentations()).toHaveLength(before + 2);
    const status = getObservabilityStatus();
    expect(await initializeObservability({ ...options, serviceName: 'other' })).toBe(true);
    expect(getInstrumentations()).toHaveLength(before + 2);
    expect(getObservabilityStatus()).toEqual(status);
    await shutdownObservability();
    expect(getInstrumentations()).toHaveLength(before);
  });

  it('serves the toolkit metrics on /metrics at the bound address when port 0 is asked', async () => {
    expect(await initializeObservability({ enableTracing: false, metricsPort: 0 })).toBe(true);
    const status = getObservabilityStatus();
    expect(status).toMatchObject({ initialized: true, tracing: 'off', prometheus: true, metricsAddress: { host: '127.0.0.1' } });
    expect(status.metricsAddress!.port).toBeGreaterThan(0);
    expect(status.metricsUrl).toBe(`http://127.0.0.1:${status.metricsAddress!.port}/metrics`);
    await step('served', () => 1).execute(new WorkflowContext(), null);
    const response = await fetch(status.metricsUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('tta_primitive_executions_total{primitive="served",kind="step",status="success"} 1');
    expect((await fetch(status.metricsUrl!.replace('/metrics', '/other'))).status).toBe(404);
    expect(getMetricsRegistry()).toBeDefined();
    await shutdownObservability();
    await expect(fetch(status.metricsUrl!)).rejects.toThrow();
    expect(getMetricsRegistry()).toBeUndefined();
  });

  it('adds default process metrics only when asked', async () => {
    await initializeObservability({ enableTracing: false, metricsPort: 0 });
    expect(await getMetricsRegistry()!.metrics()).not.toContain('process_cpu_user_seconds_total');
    await shutdownObservability();
    await initializeObservability({ enableTracing: false, metricsPort: 0, defaultMetrics: true });
    expect(await getMetricsRegistry()!.metrics()).toContain('process_cpu_user_seconds_total');
  });

  it('starts the SDK, and releases its globals on shutdown so that it can start again', async () => {
    const options = { enablePrometheus: false, otlpEndpoint: await closedEndpoint(), serviceName: 'svc' };
    expect(await initializeObservability(options)).toBe(true);
    expect(getObservabilityStatus()).toMatchObject({ tracing: 'sdk', otlpEndpoint: `${options.otlpEndpoint}/v1/traces`, serviceName: 'svc' });
    expect(globalProviderRegistered()).toBe(true);
    await shutdownObservability();
    expect(globalProviderRegistered()).toBe(false);
    expect(await initializeObservability(options)).toBe(true);
    expect(globalProviderRegistered()).toBe(true);
  });

  it('reports the OTLP endpoint in its status without the userinfo password it was configured with', async () => {
    const password = 'Otlp-Status-Pw-0123';
    const endpoint = (await closedEndpoint()).replace('http://', `http://tenant:${password}@`);
    expect(await initializeObservability({ enablePrometheus: false, otlpEndpoint: endpoint, logger: recordingLogger().logger })).toBe(true);
    const status = getObservabilityStatus();
    expect(status.tracing).toBe('sdk');
    expect(status.otlpEndpoint).toBeDefined();
    expect(status.otlpEndpoint).not.toContain(password);
  });

  it('uses a tracer provider the application registered itself instead of starting an SDK', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    try {
      expect(await initializeObservability({ enablePrometheus: false })).toBe(true);
      expect(getObservabilityStatus().tracing).toBe('external');
      await step('mine', () => 1).execute(new WorkflowContext(), null);
      expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['mine']);
      await shutdownObservability();
      // Not ours to unregister.
      expect(globalProviderRegistered()).toBe(true);
    } finally {
      trace.disable();
      context.disable();
      propagation.disable();
    }
  });

  it('does nothing and returns true with tracing and Prometheus both off', async () => {
    const before = getInstrumentations().length;
    expect(await initializeObservability({ enableTracing: false, enablePrometheus: false })).toBe(true);
    expect(getInstrumentations()).toHaveLength(before);
  });

  it('resolves shutdown when nothing was started, and twice in a row', async () => {
    await expect(shutdownObservability()).resolves.toBeUndefined();
    await initializeObservability({ enableTracing: false, metricsPort: 0 });
    await Promise.all([shutdownObservability(), shutdownObservability()]);
    expect(getObservabilityStatus().initialized).toBe(false);
  });

  it('reads OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME when the options do not say', async () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', 'http://127.0.0.1:1/base/');
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    try {
      expect(await initializeObservability({ enablePrometheus: false })).toBe(true);
      expect(getObservabilityStatus()).toMatchObject({ otlpEndpoint: 'http://127.0.0.1:1/base/v1/traces', serviceName: 'from-env' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each<[string, () => Promise<{ url: string; close(): Promise<void> }>]>([
    ['accepts connections but never answers', startBlackHole],
    ['refuses connections', async () => ({ url: await closedEndpoint(), close: () => Promise.resolve() })],
  ])('resolves shutdown within shutdownTimeoutMs when the collector %s, and logs one line', async (_case, startCollector) => {
    const collector = await startCollector();
    const { lines, logger } = recordingLogger();
    try {
      expect(await initializeObservability({ enablePrometheus: false, otlpEndpoint: collector.url, shutdownTimeoutMs: 300, logger })).toBe(true);
      for (let index = 0; index < 10; index++) await step('unsent', () => index).execute(new WorkflowContext(), null);
      const started = performance.now();
      await shutdownObservability();
      const elapsedMs = performance.now() - started;
      expect(elapsedMs).toBeLessThan(300 + 200);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/spans could not be flushed to http:\/\/127\.0\.0\.1:\d+\/v1\/traces/);
      expect(globalProviderRegistered()).toBe(false);
    } finally {
      await collector.close();
    }
  });
});

/** A collector that accepts TCP connections and never answers. */
async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
