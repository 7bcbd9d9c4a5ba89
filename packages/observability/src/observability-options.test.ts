import { describe, expect, it } from 'vitest';
import { resolveObservabilityOptions, tracesUrl } from './observability-options.js';

describe('resolveObservabilityOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveObservabilityOptions({}, {})).toEqual({
      ok: true,
      options: {
        serviceName: 'tta',
        serviceVersion: undefined,
        otlpEndpoint: 'http://localhost:4318/v1/traces',
        otlpHeaders: undefined,
        exportTimeoutMs: 10_000,
        shutdownTimeoutMs: 5_000,
        sampleRatio: 1,
        enableTracing: true,
        enablePrometheus: true,
        metricsPort: 9464,
        metricsHost: '127.0.0.1',
        defaultMetrics: false,
        maxPrimitiveLabels: 100,
        instrumentations: [],
      },
    });
  });

  it('prefers the option, then the traces variable, then the generic variable for the endpoint', () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318' };
    const endpoint = (input: object, variables: Record<string, string>) => {
      const resolution = resolveObservabilityOptions(input, variables);
      return resolution.ok ? resolution.options.otlpEndpoint : resolution.issues;
    };
    expect(endpoint({ otlpEndpoint: 'https://collector.example' }, env)).toBe('https://collector.example/v1/traces');
    expect(endpoint({}, env)).toBe('http://traces:4318/custom');
    expect(endpoint({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318/' })).toBe('http://generic:4318/v1/traces');
  });

  it('keeps a full traces URL as it is', () => {
    expect(tracesUrl('http://c:4318/v1/traces')).toBe('http://c:4318/v1/traces');
    expect(tracesUrl('http://c:4318/otlp/')).toBe('http://c:4318/otlp/v1/traces');
  });

  it('names every invalid option in one message', () => {
    const resolution = resolveObservabilityOptions({ metricsPort: -1, sampleRatio: 2, logger: {}, extra: true }, {});
    expect(resolution.ok).toBe(false);
    if (resolution.ok) return;
    for (const name of ['metricsPort', 'sampleRatio', 'logger', 'extra']) expect(resolution.issues).toContain(name);
  });

  it.each([0, -1, 1.5, 600_001])('refuses shutdownTimeoutMs %j', (value) => {
    const resolution = resolveObservabilityOptions({ shutdownTimeoutMs: value }, {});
    expect(resolution.ok).toBe(false);
    expect(resolution.ok ? '' : resolution.issues).toMatch(/shutdownTimeoutMs/);
  });
});
