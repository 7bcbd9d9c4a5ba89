import { z } from 'zod';
import type { Logger } from '@tta/primitives/logging';

/**
 * What `initializeObservability` needs of an OpenTelemetry instrumentation (an `Instrumentation`
 * from `@opentelemetry/instrumentation`, such as the undici/fetch or pg instrumentations, fits).
 */
export interface OpenTelemetryInstrumentation {
  readonly instrumentationName: string;
  setTracerProvider(provider: unknown): void;
  setMeterProvider(provider: unknown): void;
  enable(): void;
  disable(): void;
  getConfig(): { readonly enabled?: boolean };
}

/** Options of {@link initializeObservability}. Flat, every field optional, validated with zod. */
export interface ObservabilityOptions {
  /**
   * `service.name` of the traces.
   * @default process.env.OTEL_SERVICE_NAME ?? 'tta'
   */
  readonly serviceName?: string;
  /** `service.version` of the traces. */
  readonly serviceVersion?: string;
  /**
   * Where the OTLP/HTTP (JSON) trace exporter sends spans: a collector base URL such as
   * `http://collector:4318` (`/v1/traces` is appended) or a full `.../v1/traces` URL.
   * @default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + '/v1/traces', else 'http://localhost:4318/v1/traces'
   */
  readonly otlpEndpoint?: string;
  /**
   * Headers sent with every export (for example an API key of a hosted backend).
   * @default the OTEL_EXPORTER_OTLP_HEADERS variable, read by the exporter
   */
  readonly otlpHeaders?: Readonly<Record<string, string>>;
  /**
   * Longest time one export may take (retries included).
   * @default 10000
   */
  readonly exportTimeoutMs?: number;
  /**
   * Longest time `shutdownObservability()` waits for the last spans to be flushed. It resolves by
   * then even when the collector refuses connections or accepts them and never answers; spans not
   * delivered by then are dropped, and one line says so.
   * @default 5000
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * Fraction of new traces that are recorded (parent-based: a sampled caller keeps its children).
   * @default 1
   */
  readonly sampleRatio?: number;
  /**
   * Start the OpenTelemetry SDK and create a span per primitive execution.
   * @default true
   */
  readonly enableTracing?: boolean;
  /**
   * Collect Prometheus metrics and serve them on `/metrics`.
   * @default true
   */
  readonly enablePrometheus?: boolean;
  /**
   * Port of the `/metrics` server; `0` picks a free port (read it from `getObservabilityStatus()`).
   * @default 9464
   */
  readonly metricsPort?: number;
  /**
   * Interface the `/metrics` server listens on. Loopback by default: expose it deliberately.
   * @default '127.0.0.1'
   */
  readonly metricsHost?: string;
  /**
   * Also export prom-client's default process metrics (CPU, memory, event loop lag, GC).
   * @default false
   */
  readonly defaultMetrics?: boolean;
  /**
   * Most distinct primitive names used as label values; later names are counted as `other`.
   * @default 100
   */
  readonly maxPrimitiveLabels?: number;
  /**
   * OpenTelemetry instrumentations to register with the SDK this package starts, for example
   * `new UndiciInstrumentation()` so that every `fetch` inside a step gets a client span under the
   * step's span. Disabled again by `shutdownObservability()`. Ignored when an application's own
   * tracer provider is in use (register them with your SDK then).
   * @default []
   */
  readonly instrumentations?: readonly OpenTelemetryInstrumentation[];
  /**
   * Receives the one line written when initialisation fails (`warn(fields, message)`, as pino).
   * @default a logger that writes the line with console.warn
   */
  readonly logger?: Pick<Logger, 'warn'>;
}

/** Options after validation and defaults. */
export interface ResolvedObservabilityOptions {
  readonly serviceName: string;
  readonly serviceVersion: string | undefined;
  readonly otlpEndpoint: string;
  readonly otlpHeaders: Readonly<Record<string, string>> | undefined;
  readonly exportTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly sampleRatio: number;
  readonly enableTracing: boolean;
  readonly enablePrometheus: boolean;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly defaultMetrics: boolean;
  readonly maxPrimitiveLabels: number;
  readonly instrumentations: readonly OpenTelemetryInstrumentation[];
}

const isLogger = (value: unknown): value is Pick<Logger, 'warn'> =>
  typeof value === 'object' && value !== null && typeof (value as { warn?: unknown }).warn === 'function';

const isInstrumentation = (value: unknown): value is OpenTelemetryInstrumentation =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { instrumentationName?: unknown }).instrumentationName === 'string' &&
  ['setTracerProvider', 'setMeterProvider', 'enable', 'disable', 'getConfig'].every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

const schema = z.strictObject({
  serviceName: z.string().min(1).max(255).optional(),
  serviceVersion: z.string().min(1).max(255).optional(),
  otlpEndpoint: httpUrl.optional(),
  otlpHeaders: z.record(z.string(), z.string()).optional(),
  exportTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  shutdownTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  sampleRatio: z.number().min(0).max(1).optional(),
  enableTracing: z.boolean().optional(),
  enablePrometheus: z.boolean().optional(),
  metricsPort: z.number().int().min(0).max(65_535).optional(),
  metricsHost: z.string().min(1).optional(),
  defaultMetrics: z.boolean().optional(),
  maxPrimitiveLabels: z.number().int().min(1).max(10_000).optional(),
  instrumentations: z.array(z.custom<OpenTelemetryInstrumentation>(isInstrumentation, 'must be an OpenTelemetry Instrumentation')).optional(),
  logger: z.custom<Pick<Logger, 'warn'>>(isLogger, 'must have a warn(fields, message) method').optional(),
});

/** The outcome of {@link resolveObservabilityOptions}: resolved options, or the named issues. */
export type OptionsResolution =
  | { readonly ok: true; readonly options: ResolvedObservabilityOptions }
  | { readonly ok: false; readonly issues: string };

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/** Appends `/v1/traces` to a collector base URL, as the OTLP specification does for the generic variable. */
export function tracesUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/v1/traces') ? trimmed : `${trimmed}/v1/traces`;
}

/**
 * Validates `input` (unknown keys are refused, so a typo is reported) and applies the defaults,
 * reading the standard `OTEL_*` variables from `env`.
 */
export function resolveObservabilityOptions(input: unknown, env: NodeJS.ProcessEnv = process.env): OptionsResolution {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'options'}: ${issue.message}`).join('; ');
    return { ok: false, issues };
  }
  const value = parsed.data;
  const tracesEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const genericEndpoint = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const otlpEndpoint =
    value.otlpEndpoint !== undefined
      ? tracesUrl(value.otlpEndpoint)
      : (tracesEndpoint ?? tracesUrl(genericEndpoint ?? 'http://localhost:4318'));
  return {
    ok: true,
    options: {
      serviceName: value.serviceName ?? nonEmpty(env.OTEL_SERVICE_NAME) ?? 'tta',
      serviceVersion: value.serviceVersion,
      otlpEndpoint,
      otlpHeaders: value.otlpHeaders,
      exportTimeoutMs: value.exportTimeoutMs ?? 10_000,
      shutdownTimeoutMs: value.shutdownTimeoutMs ?? 5_000,
      sampleRatio: value.sampleRatio ?? 1,
      enableTracing: value.enableTracing ?? true,
      enablePrometheus: value.enablePrometheus ?? true,
      metricsPort: value.metricsPort ?? 9464,
      metricsHost: value.metricsHost ?? '127.0.0.1',
      defaultMetrics: value.defaultMetrics ?? false,
      maxPrimitiveLabels: value.maxPrimitiveLabels ?? 100,
      instrumentations: value.instrumentations ?? [],
    },
  };
}
