import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactText, type Logger } from '@tta/primitives/logging';
import { redactEndpoint } from './redact-endpoint.js';

// Collector error messages can quote a whole response body; a log line stays short.
const maxMessageLength = 300;

/**
 * Logs the first span export that fails (one line, credentials redacted) and counts the rest.
 * The OpenTelemetry SDK only reports export failures to its diagnostic logger, which is silent by
 * default: without this, a service whose collector is unreachable drops every span without a word.
 * One line, not one per batch, so that an outage does not flood the application's logs.
 */
export class ExportFailureReporter {
  /** Span batches that could not be delivered since initialisation. */
  failures = 0;
  /** While true, failures are worded as a failed flush (`shutdownObservability` sets it). */
  flushing = false;
  private reported = false;
  private closed = false;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly endpoint: string,
  ) {}

  /** `exporter` with every failed export reported here; results are passed on unchanged. */
  wrap(exporter: SpanExporter): SpanExporter {
    return {
      export: (spans, resultCallback) =>
        exporter.export(spans, (result) => {
          if (result.code !== ExportResultCode.SUCCESS) {
            this.failures++;
            this.report(result.error ?? new Error('export failed'));
          }
          resultCallback(result);
        }),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
  }

  /** Logs `error` as the one export failure line, unless a line was written already or the reporter is closed. */
  report(error: unknown): void {
    if (this.reported || this.closed) return;
    this.reported = true;
    const safeEndpoint = redactEndpoint(this.endpoint);
    const raw = error instanceof Error ? error.message : String(error);
    let message = redactText(raw.split(this.endpoint).join(safeEndpoint)).replace(/\s+/g, ' ').trim();
    if (message.length > maxMessageLength) message = `${message.slice(0, maxMessageLength)}…`;
    const line = this.flushing
      ? `@tta/observability: spans could not be flushed to ${safeEndpoint}: ${message}`
      : `@tta/observability: spans could not be exported to ${safeEndpoint}: ${message} (later export failures are not logged)`;
    try {
      this.logger.warn({ component: '@tta/observability', reason: this.flushing ? 'flush' : 'export' }, line);
    } catch {
      // A failing logger must not break the exporter.
    }
  }

  /** Stops reporting: exports abandoned by a shutdown that gave up may still fail later. */
  close(): void {
    this.closed = true;
  }
}
