import { context as otelContext, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { registerInstrumentation, type Disposable, type Logger } from '@tta/primitives';
import type { Registry } from 'prom-client';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import { resolveObservabilityOptions, type ObservabilityOptions, type ResolvedObservabilityOptions } from './observability-options.js';
import { InitializationFailure, type InitializationFailureReason } from './initialization-failure.js';
import { loadOptional } from './optional-module.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import { MetricsServerError } from './metrics-server-error.js';
import { observabilityState } from './observability-state.js';
import { createTracingInstrumentation, tracerName } from './tracing-instrumentation.js';

/** Where spans go: `'sdk'` (the NodeSDK this package started), `'external'` (a provider registered before), `'off'`. */
export type TracingMode = 'sdk' | 'external' | 'off';

/** What {@link getObservabilityStatus} reports. */
export interface ObservabilityStatus {
  readonly initialized: boolean;
  readonly tracing: TracingMode;
  readonly prometheus: boolean;
  /** `http://host:port/metrics` while the metrics server runs. */
  readonly metricsUrl: string | undefined;
  /** The bound address of the metrics server (the real port when `metricsPort: 0`). */
  readonly metricsAddress: { readonly host: string; readonly port: number } | undefined;
  /** Where spans are exported when `tracing` is `'sdk'`. */
  readonly otlpEndpoint: string | undefined;
  readonly serviceName: string | undefined;
  /** Why the last initialisation returned false, if it did. */
  readonly lastFailure: { readonly reason: InitializationFailureReason; readonly message: string } | undefined;
}

interface ActiveObservability {
  readonly options: ResolvedObservabilityOptions;
  readonly logger: Pick<Logger, 'warn'>;
  readonly tracing: TracingMode;
  readonly sdk: NodeSDK | undefined;
  readonly server: MetricsServer | undefined;
  readonly registry: Registry | undefined;
  readonly registrations: readonly Disposable[];
}

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

async function startTracing(options: ResolvedObservabilityOptions): Promise<NodeSDK> {
  const hint = dependencyHint('enableTracing');
  const [sdkNode, exporterModule, traceBase, resources] = await Promise.all([
    loadOptional('@opentelemetry/sdk-node', () => import('@opentelemetry/sdk-node'), hint),
    loadOptional('@opentelemetry/exporter-trace-otlp-http', () => import('@opentelemetry/exporter-trace-otlp-http'), hint),
    loadOptional('@opentelemetry/sdk-trace-base', () => import('@opentelemetry/sdk-trace-base'), hint),
    loadOptional('@opentelemetry/resources', () => import('@opentelemetry/resources'), hint),
  ]);
  let sdk: NodeSDK | undefined;
  try {
    const exporter = new exporterModule.OTLPTraceExporter({
      url: options.otlpEndpoint,
      timeoutMillis: options.exportTimeoutMs,
      ...(options.otlpHeaders === undefined ? {} : { headers: { ...options.otlpHeaders } }),
    });
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

async function start(input: ObservabilityOptions): Promise<boolean> {
  const candidate = (input as { logger?: unknown } | undefined)?.logger;
  const logger = typeof candidate === 'object' && candidate !== null && typeof (candidate as Logger).warn === 'function' ? (candidate as Logger) : consoleLogger;
  const resolution = resolveObservabilityOptions(input);
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  let sdk: NodeSDK | undefined;
  try {
    if (!resolution.ok) throw new InitializationFailure('invalid-options', `invalid options: ${resolution.issues}`);
    const options = resolution.options;
    // The metrics server first: a port in use is the likeliest failure, and the cheapest to undo.
    if (options.enablePrometheus) prometheus = await startPrometheus(options);
    let tracing: TracingMode = 'off';
    if (options.enableTracing) {
      if (hasGlobalTracerProvider()) tracing = 'external';
      else {
        sdk = await startTracing(options);
        tracing = 'sdk';
      }
    }
    const registrations: Disposable[] = [];
    if (tracing !== 'off') registrations.push(registerInstrumentation(createTracingInstrumentation(trace.getTracer(tracerName))));
    if (prometheus !== undefined) registrations.push(prometheus.registration);
    active = { options, logger, tracing, sdk, server: prometheus?.server, registry: prometheus?.registry, registrations };
    lastFailure = undefined;
    return true;
  } catch (error) {
    const failure = error instanceof InitializationFailure ? error : new InitializationFailure('sdk-start', `unexpected failure: ${String(error)}`, { cause: error });
    // Undo what started, so that a failed call leaves the process as it was.
    prometheus?.registration.dispose();
    if (prometheus !== undefined) observabilityState.llmUsage = undefined;
    await prometheus?.server.close();
    if (sdk !== undefined) {
      await sdk.shutdown().catch(() => {});
      if (resolution.ok) disableInstrumentations(resolution.options);
      unregisterGlobals();
    }
    lastFailure = { reason: failure.reason, message: failure.message };
    try {
      logger.warn({ component: '@tta/observability', reason: failure.reason }, `@tta/observability not initialised, the application continues without it: ${failure.message}`);
    } catch {
      // A broken logger must not turn a soft failure into a crash.
    }
    return false;
  }
}

/**
 * Starts observability for the process: the OpenTelemetry NodeSDK with the OTLP/HTTP trace
 * exporter (batched, sampled) and a span per primitive execution; Prometheus metrics on a registry
 * of their own, served on `http://127.0.0.1:9464/metrics`. Never throws: on invalid options, a port
 * in use, a missing optional dependency or an SDK start error it logs one line and resolves
 * `false`, and the application keeps working. A second call resolves `true` without registering
 * anything twice (call {@link shutdownObservability} first to change options). When a tracer
 * provider is already registered (your own SDK), spans go to it and no SDK is started.
 *
 * @example
 * await initializeObservability({ serviceName: 'checkout', serviceVersion: '1.4.0' });
 * process.on('SIGTERM', () => void shutdownObservability());
 */
export function initializeObservability(options: ObservabilityOptions = {}): Promise<boolean> {
  if (active !== undefined) return Promise.resolve(true);
  pending ??= start(options).finally(() => {
    pending = undefined;
  });
  return pending;
}

/**
 * Flushes pending spans, stops the SDK and the metrics server, and removes the instrumentation.
 * Never rejects (an unreachable collector is logged, not thrown); safe to call when not initialised.
 */
export async function shutdownObservability(): Promise<void> {
  if (pending !== undefined) await pending;
  const current = active;
  if (current === undefined) return;
  active = undefined;
  for (const registration of current.registrations) registration.dispose();
  if (current.registry !== undefined) observabilityState.llmUsage = undefined;
  if (current.sdk !== undefined) {
    // The exporter gives up after exportTimeoutMs; the margin covers the processor's own work.
    const limitMs = current.options.exportTimeoutMs + 1_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${limitMs} ms`)), limitMs);
    });
    try {
      await Promise.race([current.sdk.shutdown(), timeout]);
    } catch (error) {
      try {
        current.logger.warn(
          { component: '@tta/observability', reason: 'flush' },
          `@tta/observability: spans could not be flushed to ${current.options.otlpEndpoint}: ${error instanceof Error ? error.message : String(error)}`,
        );
      } catch {
        // Ignore a failing logger.
      }
    } finally {
      clearTimeout(timer);
    }
    // The SDK leaves its globals and instrumentations registered; release them so a later
    // initialisation can register again.
    disableInstrumentations(current.options);
    unregisterGlobals();
  }
  await current.server?.close();
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
    otlpEndpoint: current?.tracing === 'sdk' ? current.options.otlpEndpoint : undefined,
    serviceName: current?.options.serviceName,
    lastFailure,
  };
}

/** The prom-client registry holding the toolkit's metrics while Prometheus is on (to serve it yourself too). */
export function getMetricsRegistry(): Registry | undefined {
  return active?.registry;
}
