// Exposure: the metrics endpoint listens on loopback only by default, metric labels stay bounded
// when fed 10,000 distinct primitive names, and Redis keys stay inside the configured prefix.
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowContext, metrics, step } from '@tta/primitives';
import { getObservabilityStatus, initializeObservability, shutdownObservability } from '@tta/observability';
import { otherLabel } from '../../packages/observability/src/label-guard.js';
import { RedisCacheStore, RedisCircuitStateStore, RedisMailbox, RedisRateLimiter, RedisSharedState, createRedisConnection } from '@tta/redis';
import { record } from './figures.js';
import { redisChecksRun, startRedis, type RedisServer } from './support/redis-server.js';

/** Resolves whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** The distinct values of `label` on the samples of `metric` in a Prometheus text exposition. */
function labelValues(exposition: string, metric: string, label: string): Set<string> {
  const values = new Set<string>();
  const pattern = new RegExp(`${label}="((?:[^"\\\\]|\\\\.)*)"`);
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const match = pattern.exec(line);
    if (match !== null) values.add(match[1]!);
  }
  return values;
}

describe('metrics endpoint exposure', () => {
  beforeAll(async () => {
    // The documented defaults, except an ephemeral port so that the check never collides.
    expect(await initializeObservability({ metricsPort: 0, enableTracing: false })).toBe(true);
  });
  afterAll(async () => {
    await shutdownObservability();
  });

  it('binds /metrics to 127.0.0.1 by default and refuses connections on the other interfaces', async () => {
    const address = getObservabilityStatus().metricsAddress;
    expect(address).toBeDefined();
    expect(address!.host).toBe('127.0.0.1');
    expect(address!.port).toBeGreaterThan(0);
    expect(await accepts('127.0.0.1', address!.port)).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
      .map((entry) => entry!.address);
    for (const host of external) expect(await accepts(host, address!.port), `reachable on ${host}`).toBe(false);
    record('metricsBindAddress', address!.host);
    record('metricsExternalInterfacesRefused', external.length);
  });

  it('keeps the primitive label bounded when 10,000 distinct primitive names and ids run', async () => {
    metrics.reset();
    const context = new WorkflowContext();
    for (let index = 0; index < 10_000; index++) {
      // Half look like ordinary names, half like request ids: neither may grow the label set without bound.
      const name = index % 2 === 0 ? `tool-${index}` : `request-${crypto.randomUUID()}`;
      await step(name, (value: number) => value + 1).execute(context, index);
    }
    const exposition = await (await fetch(getObservabilityStatus().metricsUrl!)).text();
    const primitives = labelValues(exposition, 'tta_primitive_executions_total', 'primitive');
    expect(primitives.size).toBeGreaterThan(1);
    // At most the guard's limit (default 100) plus the overflow label.
    expect(primitives.size).toBeLessThanOrEqual(101);
    expect(primitives.has(otherLabel)).toBe(true);
    for (const value of primitives) expect(value.startsWith('request-'), `id ${value} became a label`).toBe(false);
    const series = exposition.split('\n').filter((line) => line.startsWith('tta_')).length;
    record('metricLabelValuesAfter10kNames', primitives.size);
    record('metricSeriesAfter10kNames', series);
    // The core's in-process metrics are keyed by name too, with their own guard (maxNames).
    const coreEntries = Object.keys(metrics.snapshot()).length;
    record('coreMetricsEntriesAfter10kNames', coreEntries);
    expect(coreEntries).toBeLessThanOrEqual(metrics.maxNames + 1);
  });
});

const runRedis = redisChecksRun();

describe.skipIf(!runRedis)('redis key namespace', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes every key of every store under the configured prefix, and two prefixes never see each other', async () => {
    const connection = { host: '127.0.0.1', port: server.port };
    const build = (prefix: string) => ({
      cache: new RedisCacheStore({ connection, prefix }),
      circuits: new RedisCircuitStateStore({ connection, prefix }),
      limiter: new RedisRateLimiter({ connection, prefix, tokensPerInterval: 1, intervalMs: 60_000 }),
      state: new RedisSharedState({ connection, prefix }),
      mailbox: new RedisMailbox({ connection, prefix }),
    });
    const tenants = { a: build('tenant-a:'), b: build('tenant-b:') };
    for (const [name, stores] of Object.entries(tenants)) {
      await stores.cache.set('shared-key', { value: name, storedAt: 0, expiresAt: Date.now() + 60_000, staleUntil: Date.now() + 60_000 });
      await stores.circuits.save('llm', { version: 1, state: 'open', isolated: false, consecutiveFailures: 3, window: [], savedAtMs: 0 });
      await stores.limiter.acquire('provider', 1);
      await stores.state.set({ scope: 'session', scopeId: 's', key: 'plan' }, name, { ttlMs: 60_000 });
      await stores.mailbox.send({ type: 'task', from: 'x', to: 'y', payload: name });
    }
    const client = createRedisConnection(connection);
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThanOrEqual(10);
      const outside = keys.filter((key) => !key.startsWith('tenant-a:') && !key.startsWith('tenant-b:'));
      expect(outside).toEqual([]);
      expect(keys.filter((key) => key.startsWith('tenant-a:')).length).toBe(keys.filter((key) => key.startsWith('tenant-b:')).length);
      record('redisKeysOutsidePrefix', outside.length);
      record('redisKeysChecked', keys.length);
    } finally {
      client.disconnect();
    }
    // Same logical key, different namespaces: each tenant reads its own value.
    expect((await tenants.a.cache.get('shared-key'))?.value).toBe('a');
    expect((await tenants.b.cache.get('shared-key'))?.value).toBe('b');
    for (const stores of Object.values(tenants)) await Promise.all(Object.values(stores).map((store) => store.close()));
  });
});
