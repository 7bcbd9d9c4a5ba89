import type { LogLevel } from '@tta/primitives/logging';
import { ConfigError } from './config-error.js';

/** Settings of the service, read from environment variables. */
export interface ServiceConfig {
  /** `PORT`, default 8080 (0 picks a free port). */
  readonly port: number;
  /** `HOST`, default 127.0.0.1. */
  readonly host: string;
  /** `TTA_OBSERVABILITY`: `on` (default) or `off`. */
  readonly observability: boolean;
  /** `METRICS_PORT`: port of the observability package's own `/metrics` server, default 9464. */
  readonly metricsPort: number;
  /** `OTEL_SERVICE_NAME`, default `tta-service`. */
  readonly serviceName: string;
  /** `TTA_SIM_SEED`, default 42. */
  readonly seed: number;
  /** `TTA_SIM_FAILURE_RATE`: share of simulated primary-model calls that fail, default 0.05. */
  readonly failureRate: number;
  /** `TTA_SIM_LATENCY_MS`: `n` or `min-max`, default `20-80`. */
  readonly latencyMs: { readonly min: number; readonly max: number };
  /** `TTA_SIM_SLOW_RATE`: share of simulated primary calls that hang past the call timeout, default 0.01. */
  readonly slowRate: number;
  /** `CALL_TIMEOUT_MS`: limit of one model call, default 2000. */
  readonly callTimeoutMs: number;
  /** `REQUEST_TIMEOUT_MS`: budget of one request, default 10000. */
  readonly requestTimeoutMs: number;
  /** `SHUTDOWN_GRACE_MS`: how long SIGTERM waits for requests in flight, default 10000. */
  readonly shutdownGraceMs: number;
  /** `LOG_LEVEL`: debug, info (default), warn or error. */
  readonly logLevel: LogLevel;
  /**
   * `REDIS_URL` (`redis://...`) or `REDIS_CLUSTER_NODES` (comma-separated node URLs of a Redis
   * Cluster), not both: the answer cache, the primary model's circuit state and the rate limit then
   * live in Redis, shared by every instance. Unset: all three stay in this process.
   */
  readonly redis?: { readonly url: string } | { readonly cluster: readonly string[] };
  /** `REDIS_PREFIX`: prefix of the service's Redis keys, default `tta:`. */
  readonly redisPrefix: string;
  /** `RATE_LIMIT_PER_SECOND`: model runs admitted per second (by every instance together with Redis); `0` (default) turns the limit off. */
  readonly rateLimitPerSecond: number;
  /** `RATE_LIMIT_BURST`: most runs admitted at once after a quiet second, default `RATE_LIMIT_PER_SECOND`. */
  readonly rateLimitBurst: number;
  /** `BREAKER_FAILURES`: primary-model failures in a row that open its circuit, default 5. */
  readonly breakerFailures: number;
  /** `BREAKER_BREAK_MS`: how long the primary's circuit stays open, default 30000. */
  readonly breakerBreakMs: number;
  /** `BREAKER_REFRESH_MS`: with Redis, how often an instance reloads the shared circuit state, default 250. */
  readonly breakerRefreshMs: number;
}

/** Reads the settings; throws a {@link ConfigError} naming the first bad variable. */
export function readServiceConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServiceConfig {
  const number = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new ConfigError(`${name} is "${raw}": set it to a number from ${min} to ${max}`);
    return value;
  };
  const toggle = (env.TTA_OBSERVABILITY ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(toggle)) throw new ConfigError(`TTA_OBSERVABILITY is "${toggle}": set it to on or off`);
  const level = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigError(`LOG_LEVEL is "${level}": set it to debug, info, warn or error`);
  const latency = (env.TTA_SIM_LATENCY_MS ?? '20-80').split('-').map(Number);
  const min = latency[0] ?? Number.NaN;
  const max = latency[1] ?? min;
  if (latency.length > 2 || !(min >= 0) || !(max >= min) || !Number.isFinite(max)) {
    throw new ConfigError(`TTA_SIM_LATENCY_MS is "${env.TTA_SIM_LATENCY_MS}": set it to a number of ms or a range such as 20-80`);
  }
  const redisUrl = env.REDIS_URL === '' ? undefined : env.REDIS_URL;
  const clusterNodes = (env.REDIS_CLUSTER_NODES ?? '').split(',').map((node) => node.trim()).filter((node) => node !== '');
  if (redisUrl !== undefined && clusterNodes.length > 0) throw new ConfigError('REDIS_URL and REDIS_CLUSTER_NODES are both set: set one of them');
  for (const url of redisUrl === undefined ? clusterNodes : [redisUrl]) {
    if (!/^rediss?:\/\/[^\s]+$/.test(url)) throw new ConfigError(`${redisUrl === undefined ? 'REDIS_CLUSTER_NODES' : 'REDIS_URL'} holds "${url.replace(/\/\/[^@/]*@/, '//***@')}": set redis:// or rediss:// URLs`);
  }
  const rateLimitPerSecond = number('RATE_LIMIT_PER_SECOND', 0, 0, 1_000_000);
  return {
    ...(redisUrl !== undefined ? { redis: { url: redisUrl } } : clusterNodes.length > 0 ? { redis: { cluster: clusterNodes } } : {}),
    redisPrefix: env.REDIS_PREFIX ?? 'tta:',
    rateLimitPerSecond,
    rateLimitBurst: number('RATE_LIMIT_BURST', Math.max(1, rateLimitPerSecond), 1, 1_000_000),
    breakerFailures: Math.trunc(number('BREAKER_FAILURES', 5, 1, 1_000)),
    breakerBreakMs: number('BREAKER_BREAK_MS', 30_000, 1, 3_600_000),
    breakerRefreshMs: number('BREAKER_REFRESH_MS', 250, 1, 3_600_000),
    port: number('PORT', 8080, 0, 65_535),
    host: env.HOST ?? '127.0.0.1',
    observability: ['on', 'true', '1'].includes(toggle),
    metricsPort: number('METRICS_PORT', 9464, 0, 65_535),
    serviceName: env.OTEL_SERVICE_NAME ?? 'tta-service',
    seed: Math.trunc(number('TTA_SIM_SEED', 42, -2_147_483_648, 2_147_483_647)),
    failureRate: number('TTA_SIM_FAILURE_RATE', 0.05, 0, 1),
    latencyMs: { min, max },
    slowRate: number('TTA_SIM_SLOW_RATE', 0.01, 0, 1),
    callTimeoutMs: number('CALL_TIMEOUT_MS', 2000, 1, 600_000),
    requestTimeoutMs: number('REQUEST_TIMEOUT_MS', 10_000, 1, 600_000),
    shutdownGraceMs: number('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    logLevel: level as LogLevel,
  };
}
