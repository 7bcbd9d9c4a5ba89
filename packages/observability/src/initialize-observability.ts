import { context as otelContext, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import type { Disposable } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import type { Logger } from '@tta/primitives/logging';
import type { Registry } from 'prom-client';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { resolveObservabilityOptions, type ObservabilityOptions, type ResolvedObservabilityOptions } from './observability-options.js';
import { InitializationFailure, type InitializationFailureReason } from './initialization-failure.js';
import { loadOptional } from './optional-module.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { MetricsServerError } from './metrics-server-error.js';
import { observabilityState } from './observability-state.js';
import { createTracingInstrumentation, tracerName } from './tracing-instrumentation.js';
import { ExportFailureReporter } from './export-failure-reporter.js';
import { settleWithin } from './settle-within.js';
import { redactEndpoint } from './redact-endpoint.js';

/** Where spans go: `'sdk'` (the NodeSDK this package started), `'external'` (a provider registered before), `'off'`. */
export type TracingMode = 'sdk' | 'external' | 'off';

/** `endpoint` as it is configured, or with its userinfo and query replaced when it has any. */
const displayEndpoint = (endpoint: string): string => (/[@?#]/.test(endpoint) ? redactEndpoint(endpoint) : endpoint);

/** What {@link getObservabilityStatus} reports. */
export interface ObservabilityStatus {
  readonly initialized: boolean;
  readonly tracing: TracingMode;
  readonly prometheus: boolean;
  /** `http://host:port/metrics` while the metrics server runs. */
  readonly metricsUrl: string | undefined;
  /** The bound address of the metrics server (the real port when `metricsPort: 0`). */
  readonly metricsAddress: { readonly host: string; readonly port: number } | undefined;
  /** Where spans are exported when `tracing` is `'sdk'` (userinfo and query replaced by `[REDACTED]`). */
  readonly otlpEndpoint: string | undefined;
  readonly serviceName: string | undefined;
  /** Why the last initialisation returned false, if it did (also while the part that could start runs). */
  readonly lastFailure: { readonly reason: InitializationFailureReason; readonly message: string } | undefined;
  /** Span batches the exporter could not deliver since initialisation (the first one is logged). */
  readonly failedExports: number;
}

interface ActiveObservability {
  readonly options: ResolvedObservabilityOptions;
  readonly logger: Pick<Logger, 'warn'>;
  readonly tracing: TracingMode;
  readonly sdk: NodeSDK | undefined;
  readonly server: MetricsServer | undefined;
  readonly registry: Registry | undefined;
  readonly registrations: readonly Disposable[];
  readonly exportFailures: ExportFailureReporter | undefined;
  /** What initializeObservability resolved: false when a part failed and the other runs. */
  readonly result: boolean;
}

/** A part of observability that failed to start while the other may run. */
interface PartFailure {
  readonly part: 'metrics' | 'tracing';
  readonly failure: InitializationFailure;
}

const partNames = { metrics: 'Prometheus metrics', tracing: 'tracing' } as const;

const consoleLogger: Pick<Logger, 'warn'> = { warn: (_fields, message) => console.warn(message) };

let active: ActiveObservability | undefined;
let pending: Promise<boolean> | undefined;
let lastFailure: ObservabilityStatus['lastFailure'];

const dependencyHint = (option: string): string => `install it, or set ${option}: false`;

/** True when some tracer provider is registered already (the user's own SDK): a no-op tracer gives invalid ids. */
function hasGlobalTracerProvider(): boolean {
  // The probe span is never ended, so it is never exported.
  const probe = trace.getTracer(`${tracerName}/probe`).startSpan('probe', { root: true });
  return isSpanContextValid(probe.spanContext());
}

async function startPrometheus(options: ResolvedObservabilityOptions): Promise<{ registry: Registry; server: MetricsServer; registration: Disposable }> {
  await loadOptional('prom-client', () => import('prom-client'), dependencyHint('enablePrometheus'));
  const { PrometheusMetrics } = await loadOptional('prom-client', () => import('./prometheus-metrics.js'), dependencyHint('enablePrometheus'));
  const metrics = new PrometheusMetrics({ maxPrimitiveLabels: options.maxPrimitiveLabels, defaultMetrics: options.defaultMetrics });
  let server: MetricsServer;
  try {
    server = await startMetricsServer(metrics.registry, options.metricsHost, options.metricsPort);
  } catch (error) {
    const hint = MetricsServerError.isInstance(error) && error.reason === 'EADDRINUSE' ? ' (choose another metricsPort, or 0 for a free one)' : '';
    throw new InitializationFailure('metrics-port', `${error instanceof Error ? error.message : String(error)}${hint}`, { cause: error });
  }
  observabilityState.llmUsage = metrics;
  return { registry: metrics.registry, server, registration: registerInstrumentation(metrics.instrumentation) };
}

async function startTracing(options: ResolvedObservabilityOptions, exportFailures: ExportFailureReporter): Promise<NodeSDK> {
  const hint = dependencyHint('enableTracing');
  const [sdkNode, exporterModule, traceBase, resources] = await Promise.all([
    loadOptional('@opentelemetry/sdk-node', () => import('@opentelemetry/sdk-node'), hint),
    loadOptional('@opentelemetry/exporter-trace-otlp-http', () => import('@opentelemetry/exporter-trace-otlp-http'), hint),
    loadOptional('@opentelemetry/sdk-trace-base', () => import('@opentelemetry/sdk-trace-base'), hint),
    loadOptional('@opentelemetry/resources', () => import('@opentelemetry/resources'), hint),
  ]);
  let sdk: NodeSDK | undefined;
  try {
    const exporter = exportFailures.wrap(new exporterModule.OTLPTraceExporter({
      url: options.otlpEndpoint,
      timeoutMillis: options.exportTimeoutMs,
      ...(options.otlpHeaders === undefined ? {} : { headers: { ...options.otlpHeaders } }),
    }));
    const resourceAttributes: Record<string, string> = { 'service.name': options.serviceName };
    if (options.serviceVersion !== undefined) resourceAttributes['service.version'] = options.serviceVersion;
    sdk = new sdkNode.NodeSDK({
      serviceName: options.serviceName,
      resource: resources.defaultResource().merge(resources.resourceFromAttributes(resourceAttributes)),
      spanProcessors: [new traceBase.BatchSpanProcessor(exporter)],
      sampler: new traceBase.ParentBasedSampler({ root: new traceBase.TraceIdRatioBasedSampler(options.sampleRatio) }),
      // Empty lists, not defaults: the SDK would otherwise start OTLP metric and log exporters from the environment.
      metricReaders: [],
      logRecordProcessors: [],
      // Structurally checked at validation; the SDK's type comes from a package this one does not depend on.
      instrumentations: [...options.instrumentations] as unknown as NonNullable<NonNullable<ConstructorParameters<typeof sdkNode.NodeSDK>[0]>['instrumentations']>,
    });
    sdk.start();
    return sdk;
  } catch (error) {
    if (sdk !== undefined) {
      // start() may have registered some globals before failing.
      await sdk.shutdown().catch(() => {});
      disableInstrumentations(options);
      unregisterGlobals();
    }
    throw new InitializationFailure('sdk-start', `the OpenTelemetry SDK failed to start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function disableInstrumentations(options: ResolvedObservabilityOptions): void {
  for (const instrumentation of options.instrumentations) {
    try {
      instrumentation.disable();
    } catch {
      // A failing instrumentation must not stop the clean-up.
    }
  }
}

function unregisterGlobals(): void {
  trace.disable();
  otelContext.disable();
  propagation.disable();
}

const asFailure = (error: unknown, reason: InitializationFailureReason): InitializationFailure =>
  error instanceof InitializationFailure ? error : new InitializationFailure(reason, `unexpected failure: ${String(error)}`, { cause: error });

function warn(logger: Pick<Logger, 'warn'>, fields: Record<string, unknown>, line: string): void {
  try {
    logger.warn({ component: '@tta/observability', ...fields }, line);
  } catch {
    // A broken logger must not turn a soft failure into a crash.
  }
}

async function start(input: ObservabilityOptions): Promise<boolean> {
  const candidate = (input as { logger?: unknown } | undefined)?.logger;
  const logger = typeof candidate === 'object' && candidate !== null && typeof (candidate as Logger).warn === 'function' ? (candidate as Logger) : consoleLogger;
  const resolution = resolveObservabilityOptions(input);
  if (!resolution.ok) return notStarted(logger, [new InitializationFailure('invalid-options', `invalid options: ${resolution.issues}`)]);
  const options = resolution.options;
  // Each part starts on its own: a busy metrics port must not take tracing down with it, nor a
  // missing SDK package the metrics. Each start undoes its own work when it fails.
  const failures: PartFailure[] = [];
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  if (options.enablePrometheus) {
    try {
      prometheus = await startPrometheus(options);
    } catch (error) {
      failures.push({ part: 'metrics', failure: asFailure(error, 'metrics-port') });
    }
  }
  let tracing: TracingMode = 'off';
  let sdk: NodeSDK | undefined;
  let exportFailures: ExportFailureReporter | undefined;
  if (options.enableTracing) {
    if (hasGlobalTracerProvider()) tracing = 'external';
    else {
      const reporter = new ExportFailureReporter(logger, options.otlpEndpoint);
      try {
        sdk = await startTracing(options, reporter);
        tracing = 'sdk';
        exportFailures = reporter;
      } catch (error) {
        // The start line says what went wrong; the stopped SDK's exporter must not add another.
        reporter.close();
        failures.push({ part: 'tracing', failure: asFailure(error, 'sdk-start') });
      }
    }
  }
  if (failures.length > 0 && prometheus === undefined && tracing === 'off') return notStarted(logger, failures.map((entry) => entry.failure));
  const registrations: Disposable[] = [];
  if (tracing !== 'off') registrations.push(registerInstrumentation(createTracingInstrumentation(trace.getTracer(tracerName))));
  if (prometheus !== undefined) registrations.push(prometheus.registration);
  const result = failures.length === 0;
  active = { options, logger, tracing, sdk, server: prometheus?.server, registry: prometheus?.registry, registrations, exportFailures, result };
  const first = failures[0];
  lastFailure = first === undefined ? undefined : { reason: first.failure.reason, message: first.failure.message };
  if (first !== undefined) {
    const running = prometheus !== undefined ? partNames.metrics : partNames.tracing;
    warn(
      logger,
      { reason: first.failure.reason, part: first.part },
      `@tta/observability partly initialised: ${partNames[first.part]} ${first.part === 'metrics' ? 'are' : 'is'} off (${first.failure.message}); ${running} ${prometheus !== undefined ? 'are' : 'is'} on`,
    );
  }
  return result;
}

/** Records and logs (one line) a start in which nothing could run; resolves the `false` to return. */
function notStarted(logger: Pick<Logger, 'warn'>, failures: readonly InitializationFailure[]): false {
  const first = failures[0]!;
  const message = failures.map((failure) => failure.message).join('; ');
  lastFailure = { reason: first.reason, message };
  warn(logger, { reason: first.reason }, `@tta/observability not initialised, the application continues without it: ${message}`);
  return false;
}

/**
 * Starts observability for the process: the OpenTelemetry NodeSDK with the OTLP/HTTP trace
 * exporter (batched, sampled) and a span per primitive execution; Prometheus metrics on a registry
 * of their own, served on `http://127.0.0.1:9464/metrics`. Never throws: on invalid options, a port
 * in use, a missing optional dependency or an SDK start error it logs one line and resolves
 * `false`, and the application keeps working. Tracing and metrics start independently: when one
 * fails, the other still runs (the line says which part is off) and the result is still `false`.
 * A second call resolves what the first did without registering anything twice (call
 * {@link shutdownObservability} first to change options). When a tracer provider is already
 * registered (your own SDK), spans go to it and no SDK is started. The first failed span export
 * is logged once (one line, credentials redacted); `getObservabilityStatus().failedExports` counts them all.
 *
 * @example
 * ```ts
 * await initializeObservability({ serviceName: 'checkout', serviceVersion: '1.4.0' });
 * process.on('SIGTERM', () => void shutdownObservability());
 * ```
 */
export function initializeObservability(options: ObservabilityOptions = {}): Promise<boolean> {
  if (active !== undefined) return Promise.resolve(active.result);
  pending ??= start(options).finally(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * Flushes pending spans, stops the SDK and the metrics server, and removes the instrumentation.
 * Never rejects, and resolves within `shutdownTimeoutMs` (default 5 s) even when the collector
 * refuses connections or never answers: spans not delivered by then are dropped, and one line
 * says so (none when an export failure was logged already). Safe to call when not initialised.
 */
export async function shutdownObservability(): Promise<void> {
  if (pending !== undefined) await pending;
  const current = active;
  if (current === undefined) return;
  active = undefined;
  for (const registration of current.registrations) registration.dispose();
  if (current.registry !== undefined) observabilityState.llmUsage = undefined;
  // Closed while the spans flush, so that both together stay within the bound.
  const serverClosed = current.server?.close();
  if (current.sdk !== undefined) {
    const limitMs = current.options.shutdownTimeoutMs;
    const reporter = current.exportFailures;
    if (reporter !== undefined) reporter.flushing = true;
    const outcome = await settleWithin(current.sdk.shutdown(), limitMs);
    if (!outcome.settled) reporter?.report(new Error(`no answer within shutdownTimeoutMs (${limitMs} ms); the spans not sent are dropped`));
    else if (outcome.error !== undefined) reporter?.report(outcome.error);
    // Exports the SDK still runs after a shutdown that gave up must not log later.
    reporter?.close();
    // The SDK leaves its globals and instrumentations registered; release them so a later
    // initialisation can register again.
    disableInstrumentations(current.options);
    unregisterGlobals();
  }
  await serverClosed;
}

/** What is running: tracing mode, metrics address, exporter endpoint, and the last failure. */
export function getObservabilityStatus(): ObservabilityStatus {
  const current = active;
  return {
    initialized: current !== undefined,
    tracing: current?.tracing ?? 'off',
    prometheus: current?.server !== undefined,
    metricsUrl: current?.server?.url,
    metricsAddress: current?.server === undefined ? undefined : { host: current.server.host, port: current.server.port },
    // Status is printed and served by applications: credentials in the endpoint's userinfo or query are hidden.
    otlpEndpoint: current?.tracing === 'sdk' ? displayEndpoint(current.options.otlpEndpoint) : undefined,
    serviceName: current?.options.serviceName,
    lastFailure,
    failedExports: current?.exportFailures?.failures ?? 0,
  };
}

/** The prom-client registry holding the toolkit's metrics while Prometheus is on (to serve it yourself too). */
export function getMetricsRegistry(): Registry | undefined {
  return active?.registry;
}
