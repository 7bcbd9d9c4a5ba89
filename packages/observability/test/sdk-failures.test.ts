import { afterEach, describe, expect, it, vi } from 'vitest';

const notFound = (name: string) => Object.assign(new Error(`Cannot find package '${name}' imported from /app/index.js`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('initializeObservability when the SDK cannot be loaded or started', () => {
  afterEach(async () => {
    const { shutdownObservability } = await import('../src/index.js');
    await shutdownObservability();
    vi.doUnmock('@opentelemetry/sdk-node');
    vi.doUnmock('prom-client');
    vi.doUnmock('@opentelemetry/exporter-trace-otlp-http');
    vi.resetModules();
  });

  it('returns false and names the missing SDK package; the package itself still imports', async () => {
    vi.resetModules();
    vi.doMock('@opentelemetry/sdk-node', () => {
      throw notFound('@opentelemetry/sdk-node');
    });
    const { initializeObservability, getObservabilityStatus } = await import('../src/index.js');
    // The same (freshly loaded) core instance as the package under test.
    const { getInstrumentations } = await import('@tta/primitives/instrumentation');
    const lines: string[] = [];
    const before = getInstrumentations().length;
    const ok = await initializeObservability({ enablePrometheus: false, logger: { warn: (_fields, message) => void lines.push(message ?? '') } });
    expect(ok).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('@opentelemetry/sdk-node');
    expect(lines[0]).toContain('enableTracing: false');
    expect(getObservabilityStatus().lastFailure?.reason).toBe('missing-dependency');
    expect(getInstrumentations()).toHaveLength(before);
  });

  it('returns false and names prom-client when it is missing, and stops nothing else', async () => {
    vi.resetModules();
    vi.doMock('prom-client', () => {
      throw notFound('prom-client');
    });
    const { initializeObservability } = await import('../src/index.js');
    const lines: string[] = [];
    const ok = await initializeObservability({ enableTracing: false, metricsPort: 0, logger: { warn: (_fields, message) => void lines.push(message ?? '') } });
    expect(ok).toBe(false);
    expect(lines[0]).toMatch(/prom-client.*enablePrometheus: false/);
  });

  it('returns false when the SDK fails to start, keeps the metrics server and names the tracing part', async () => {
    vi.resetModules();
    vi.doMock('@opentelemetry/exporter-trace-otlp-http', () => ({
      OTLPTraceExporter: class {
        constructor() {
          throw new Error('exporter misconfigured');
        }
      },
    }));
    const { initializeObservability, getObservabilityStatus } = await import('../src/index.js');
    // The same (freshly loaded) core instance as the package under test.
    const { getInstrumentations } = await import('@tta/primitives/instrumentation');
    const lines: string[] = [];
    const before = getInstrumentations().length;
    const ok = await initializeObservability({ metricsPort: 0, logger: { warn: (_fields, message) => void lines.push(message ?? '') } });
    expect(ok).toBe(false);
    expect(lines).toEqual([expect.stringContaining('the OpenTelemetry SDK failed to start: exporter misconfigured')]);
    expect(lines[0]).toMatch(/^@tta\/observability partly initialised: tracing is off .*; Prometheus metrics are on/);
    const status = getObservabilityStatus();
    expect(status).toMatchObject({ initialized: true, tracing: 'off', prometheus: true, lastFailure: { reason: 'sdk-start' } });
    expect((await fetch(status.metricsUrl!)).status).toBe(200);
    // Only the metrics instrumentation is registered.
    expect(getInstrumentations()).toHaveLength(before + 1);
  });

  it('returns false when both parts fail, and leaves nothing registered or running', async () => {
    vi.resetModules();
    vi.doMock('@opentelemetry/exporter-trace-otlp-http', () => ({
      OTLPTraceExporter: class {
        constructor() {
          throw new Error('exporter misconfigured');
        }
      },
    }));
    vi.doMock('prom-client', () => {
      throw notFound('prom-client');
    });
    const { initializeObservability, getObservabilityStatus } = await import('../src/index.js');
    const { getInstrumentations } = await import('@tta/primitives/instrumentation');
    const lines: string[] = [];
    const before = getInstrumentations().length;
    const ok = await initializeObservability({ metricsPort: 0, logger: { warn: (_fields, message) => void lines.push(message ?? '') } });
    expect(ok).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^@tta\/observability not initialised, the application continues without it: .*prom-client.*; .*exporter misconfigured/);
    expect(getObservabilityStatus()).toMatchObject({ initialized: false, prometheus: false, tracing: 'off', lastFailure: { reason: 'missing-dependency' } });
    expect(getInstrumentations()).toHaveLength(before);
  });
});
