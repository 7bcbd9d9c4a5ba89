// Three processes of the service sharing one Redis (and once a three-master Redis Cluster): one rate
// budget, one circuit state, one cache with single flight, and the caller's correlation id and trace
// context in every instance's logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisClusterHandle } from '../../../packages/redis/src/test-support/redis-cluster.js';
import { runRedisSuites, startRedisServer, type RedisServerHandle } from '../../../packages/redis/src/test-support/redis-server.js';
import { buildService, OtlpReceiver, ServiceProcess } from './service-process.js';

const traceId = '0af7651916cd43dd8448eb211c80319c';
const breakerRefreshMs = 100;
const ratePerSecond = 20;

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/answer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Model runs of one instance so far (the retry around the model pair runs once per run). */
async function modelRuns(instance: ServiceProcess, step = 'llm-retry'): Promise<number> {
  const snapshot = (await (await fetch(`${instance.baseUrl}/metrics/builtin`)).json()) as Record<string, { count?: number }>;
  return snapshot[step]?.count ?? 0;
}

const topologies = [
  ['one Redis', 'server'],
  ['a three-master Redis Cluster', 'cluster'],
] as const;

// One build for both topologies (turbo skips what is up to date).
beforeAll(() => {
  if (runRedisSuites) buildService();
});

describe.skipIf(!runRedisSuites).each(topologies)('three service instances sharing %s', (_name, topology) => {
  const receiver = new OtlpReceiver();
  let server: RedisServerHandle | undefined;
  let cluster: RedisClusterHandle | undefined;
  let instances: ServiceProcess[] = [];

  beforeAll(async () => {
    await receiver.start();
    let redisEnv: Record<string, string>;
    if (topology === 'server') {
      server = await startRedisServer();
      redisEnv = { REDIS_URL: server.url };
    } else {
      cluster = await startRedisCluster();
      redisEnv = { REDIS_CLUSTER_NODES: cluster.urls.join(',') };
    }
    const common = {
      ...redisEnv,
      REDIS_PREFIX: `scale-${topology}:`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      TTA_SIM_LATENCY_MS: '40-60',
      TTA_SIM_SLOW_RATE: '0',
      RATE_LIMIT_PER_SECOND: String(ratePerSecond),
      BREAKER_FAILURES: '3',
      BREAKER_BREAK_MS: '60000',
      BREAKER_REFRESH_MS: String(breakerRefreshMs),
    };
    // The first instance's primary model always fails (so its breaker opens); the others' never does.
    instances = [
      new ServiceProcess({ ...common, TTA_SIM_FAILURE_RATE: '1' }),
      new ServiceProcess({ ...common, TTA_SIM_FAILURE_RATE: '0' }),
      new ServiceProcess({ ...common, TTA_SIM_FAILURE_RATE: '0' }),
    ];
    await Promise.all(instances.map((instance) => instance.start()));
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
    await receiver.stop();
    await server?.dispose();
    await cluster?.dispose();
  });

  it('says at start that its state is shared', () => {
    for (const instance of instances) expect(instance.lines.find((line) => line.msg === 'listening')).toMatchObject({ sharedState: topology === 'server' ? 'redis' : 'redis-cluster' });
  });

  it('serves an answer computed by one instance as a hit from the others', async () => {
    const [first, second, third] = instances.slice(1).concat(instances[0]!) as [ServiceProcess, ServiceProcess, ServiceProcess];
    const computed = await (await post(first.baseUrl, { question: 'What does a shared cache buy?' })).json();
    expect(computed.cached).toBe(false);
    for (const other of [second, third]) {
      const body = await (await post(other.baseUrl, { question: 'What does a shared cache buy?' })).json();
      expect(body).toMatchObject({ cached: true, answer: computed.answer, model: computed.model });
    }
  });

  it('calls the model once when the three instances miss the same question at the same moment', async () => {
    const before = await Promise.all(instances.map((instance) => modelRuns(instance)));
    const responses = await Promise.all(instances.map((instance) => post(instance.baseUrl, { question: 'Three at once?' })));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(new Set(bodies.map((body) => body.answer)).size).toBe(1);
    const after = await Promise.all(instances.map((instance) => modelRuns(instance)));
    expect(after.reduce((sum, runs, index) => sum + runs - before[index]!, 0)).toBe(1);
  });

  it('carries the caller\'s correlation id and trace id into every instance\'s log line and traceparent', async () => {
    for (const [index, instance] of instances.entries()) {
      const correlationId = `scale-out-${topology}-${index}`;
      const response = await post(instance.baseUrl, { question: `Trace me ${index}` }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-correlation-id': correlationId });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-correlation-id')).toBe(correlationId);
      expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-`));
      const line = await instance.waitForLine((entry) => entry.msg === 'request' && entry.correlationId === correlationId);
      expect(line).toMatchObject({ status: 200, traceId });
    }
  });

  it('opens the primary model\'s circuit in every instance once failures in one opened it', async () => {
    const [failing, other] = instances as [ServiceProcess, ServiceProcess, ServiceProcess];
    // Three runs on the failing instance: three primary failures in a row (the backup answers them).
    for (let index = 0; index < 3; index++) expect((await post(failing.baseUrl, { question: `fail ${index}`, fresh: true })).status).toBe(200);
    const openedAt = Date.now();
    // The other instance follows within BREAKER_REFRESH_MS: its first call after that starts the reload
    // (and still runs on the old state); from then on its primary is not called.
    let followedAfterMs = -1;
    for (let attempt = 0; attempt < 40 && followedAfterMs < 0; attempt++) {
      const primaryBefore = await modelRuns(other, 'llm-primary');
      const body = await (await post(other.baseUrl, { question: `probe ${attempt}`, fresh: true })).json();
      if (body.model === 'sim-small' && (await modelRuns(other, 'llm-primary')) === primaryBefore) followedAfterMs = Date.now() - openedAt;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(followedAfterMs).toBeGreaterThanOrEqual(0);
    expect(followedAfterMs).toBeLessThan(breakerRefreshMs + 1_000);
    console.log(`${topology}: another instance followed the opened circuit after ${followedAfterMs} ms (BREAKER_REFRESH_MS ${breakerRefreshMs})`);
  });

  it('admits no more model runs across the three instances than the one shared rate allows', async () => {
    // Let the bucket fill up again after the earlier tests.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const started = Date.now();
    const responses = await Promise.all(
      Array.from({ length: 90 }, (_, index) => post(instances[index % 3]!.baseUrl, { question: `flood ${index}`, fresh: true })),
    );
    const elapsedSeconds = (Date.now() - started) / 1_000;
    const statuses = responses.map((response) => response.status);
    // Every run that got a permit counts, answered (200) or not: on the first instance the backup
    // model fails half the time, so a run there may end in 502 after its retries.
    const admitted = statuses.filter((status) => status !== 429).length;
    expect(statuses.every((status) => status === 200 || status === 429 || status === 502)).toBe(true);
    // One budget: a burst of `ratePerSecond`, plus what refills while the flood lasts. Three separate
    // budgets would have admitted up to three times as many.
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(ratePerSecond + Math.ceil(ratePerSecond * elapsedSeconds));
    const rejected = responses.find((response) => response.status === 429);
    expect(rejected?.headers.get('retry-after')).toBe('1');
  });
});
