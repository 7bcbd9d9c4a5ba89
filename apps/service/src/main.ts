// The service: `POST /v1/answer` runs cache -> retry -> fallback -> timeout around a model, with
// traces, Prometheus metrics and JSON logs. Stops gracefully on SIGTERM / SIGINT.
import { getObservabilityStatus, initializeObservability, shutdownObservability } from '@tta/observability';
import { bindLogger, createJsonLogger } from '@tta/primitives/logging';
import { createModelProvider, describeModelProvider, SimulatedModelProvider, type ModelProvider } from '@tta-apps/model-provider';
import { createAnswerWorkflow } from './answer-workflow.js';
import { createStreamLogSink } from './log-sink.js';
import { scrubErrorText } from './scrub-error-text.js';
import { createService } from './service.js';
import { createSharedStores } from './shared-stores.js';
import { readServiceConfig } from './service-config.js';

// A log reader that exits (a closed pipe: EPIPE) or stalls must never take the service down with
// requests in flight: lines are dropped and counted instead (reported on /healthz).
const stdout = createStreamLogSink(process.stdout);
const stderr = createStreamLogSink(process.stderr);

async function main(): Promise<void> {
  const config = readServiceConfig();
  const jsonLogger = createJsonLogger({ level: config.logLevel, base: { service: config.serviceName }, write: (line) => stdout.write(line) });
  // Lines written outside a request are redacted too; the service redacts its own lines itself.
  const logger = bindLogger(jsonLogger, {});

  let observability = false;
  if (config.observability) {
    observability = await initializeObservability({ serviceName: config.serviceName, serviceVersion: '0.0.0', metricsPort: config.metricsPort, logger });
  }

  const primary = createModelProvider({
    simulated: { seed: config.seed, model: 'sim-large', latencyMs: config.latencyMs, failureRate: config.failureRate, slowRate: config.slowRate, slowLatencyMs: config.callTimeoutMs * 5 },
  });
  // The backup: a smaller simulated model offline, the same endpoint again when a real one is set.
  const backup: ModelProvider = primary.simulated
    ? new SimulatedModelProvider({ seed: config.seed + 1, model: 'sim-small', latencyMs: { min: config.latencyMs.min / 2, max: config.latencyMs.max / 2 }, failureRate: config.failureRate / 2 })
    : primary;

  // With REDIS_URL / REDIS_CLUSTER_NODES, every instance shares the cache, the breaker's state and the rate budget.
  const shared = createSharedStores(config);
  const service = createService({
    workflow: createAnswerWorkflow({
      primary,
      backup,
      callTimeoutMs: config.callTimeoutMs,
      ...(shared.cacheStore === undefined ? {} : { cacheStore: shared.cacheStore }),
      breaker: { failures: config.breakerFailures, breakDurationMs: config.breakerBreakMs, refreshMs: config.breakerRefreshMs, ...(shared.circuitStateStore === undefined ? {} : { store: shared.circuitStateStore }) },
      ...(config.rateLimitPerSecond > 0 ? { rateLimit: { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst, ...(shared.rateLimiter === undefined ? {} : { limiter: shared.rateLimiter }) } } : {}),
    }),
    logger: jsonLogger,
    droppedLogLines: () => stdout.dropped,
    requestTimeoutMs: config.requestTimeoutMs,
    shutdownGraceMs: config.shutdownGraceMs,
    logRequestStart: config.logLevel === 'debug',
  });
  const address = await service.listen(config.port, config.host);
  const status = getObservabilityStatus();
  logger.info(
    {
      url: `http://${address.host}:${address.port}`,
      port: address.port,
      observability,
      metricsUrl: status.metricsUrl,
      ...(status.otlpEndpoint === undefined ? {} : { otlpEndpoint: scrubErrorText(status.otlpEndpoint) }),
      model: describeModelProvider(primary),
      sharedState: shared.kind,
    },
    'listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, inFlight: service.inFlight }, 'shutting down');
    void (async () => {
      await service.shutdown();
      await shared.close();
      await shutdownObservability();
      logger.info({ signal }, 'stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  stderr.write(`tta-service: ${scrubErrorText(error instanceof Error ? error.message : String(error))}`);
  process.exit(1);
});
