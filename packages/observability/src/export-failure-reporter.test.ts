import { describe, expect, it } from 'vitest';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportFailureReporter } from './export-failure-reporter.js';

const endpoint = 'http://user:s3cret-pass@collector.internal:4318/v1/traces';

function recordingLogger() {
  const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
  return { lines, logger: { warn: (fields: Record<string, unknown>, message?: string) => void lines.push({ fields, message: message ?? '' }) } };
}

/** An exporter whose every export ends with `results` in turn. */
function scriptedExporter(results: ExportResult[]): SpanExporter {
  let index = 0;
  return {
    export: (_spans, done) => done(results[Math.min(index++, results.length - 1)]!),
    shutdown: () => Promise.resolve(),
  };
}

const exportOnce = (exporter: SpanExporter): Promise<ExportResult> => new Promise((resolve) => exporter.export([] as ReadableSpan[], resolve));

describe('ExportFailureReporter', () => {
  it('logs the first failed export once, counts every failure and passes results on unchanged', async () => {
    const { lines, logger } = recordingLogger();
    const reporter = new ExportFailureReporter(logger, endpoint);
    const failure: ExportResult = { code: ExportResultCode.FAILED, error: new Error(`connect ECONNREFUSED for ${endpoint}`) };
    const exporter = reporter.wrap(scriptedExporter([failure, failure, { code: ExportResultCode.SUCCESS }, failure]));
    const results = [];
    for (let index = 0; index < 4; index++) results.push(await exportOnce(exporter));
    expect(results.map((result) => result.code)).toEqual([ExportResultCode.FAILED, ExportResultCode.FAILED, ExportResultCode.SUCCESS, ExportResultCode.FAILED]);
    expect(reporter.failures).toBe(3);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toBe(
      '@tta/observability: spans could not be exported to http://[REDACTED]@collector.internal:4318/v1/traces: connect ECONNREFUSED for http://[REDACTED]@collector.internal:4318/v1/traces (later export failures are not logged)',
    );
    expect(lines[0]!.fields).toMatchObject({ component: '@tta/observability', reason: 'export' });
  });

  it('redacts credentials in the error message, keeps it on one line and cuts it short', () => {
    const { lines, logger } = recordingLogger();
    const reporter = new ExportFailureReporter(logger, endpoint);
    reporter.report(new Error(`401 Unauthorized\nAuthorization: Bearer abcdef.ghijkl.mnopqr sk-${'a'.repeat(40)} ${'x'.repeat(1_000)}`));
    const message = lines[0]!.message;
    expect(message).not.toContain('s3cret-pass');
    expect(message).not.toContain('abcdef.ghijkl');
    expect(message).not.toContain('sk-aaaa');
    expect(message).not.toContain('\n');
    expect(message.length).toBeLessThan(500);
  });

  it('words a failure during shutdown as a failed flush, and is silent once closed', () => {
    const { lines, logger } = recordingLogger();
    const reporter = new ExportFailureReporter(logger, 'http://127.0.0.1:4318/v1/traces');
    reporter.flushing = true;
    reporter.report(new Error('Request timed out'));
    reporter.close();
    const closed = new ExportFailureReporter(logger, 'http://127.0.0.1:4318/v1/traces');
    closed.close();
    closed.report(new Error('late failure'));
    expect(lines.map((line) => line.message)).toEqual(['@tta/observability: spans could not be flushed to http://127.0.0.1:4318/v1/traces: Request timed out']);
  });

  it('does not throw when the logger throws', async () => {
    const reporter = new ExportFailureReporter({ warn: () => { throw new Error('logger down'); } }, endpoint);
    const exporter = reporter.wrap(scriptedExporter([{ code: ExportResultCode.FAILED, error: new Error('refused') }]));
    await expect(exportOnce(exporter)).resolves.toMatchObject({ code: ExportResultCode.FAILED });
  });
});
