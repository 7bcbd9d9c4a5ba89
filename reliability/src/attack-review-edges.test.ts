// A reviewer's outside pass over the hardened edges (issue #13): what an attacker still found after
// the first fixes. Each check failed before its fix: a scrubber that backtracks, a lease wait that a
// long retry delay outlasted, a TTL Redis refuses untyped, recorder lines on stderr with raw query
// tokens, and a proxy-style request target whose password reached a recording.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cache, InvalidInputError, InvalidOptionsError, step, WorkflowContext } from '@tta/primitives';
import { contextFromHeaders, getMetricsRegistry, getObservabilityStatus, initializeObservability, shutdownObservability } from '@tta/observability';
import { recordIncoming, runTestSet, writeTestSet } from '@tta/keploy-testing';
import { LeaseTimeoutError, RedisCacheStore, RedisLease, RedisRateLimiter, RedisSharedState, WorkerPool } from '@tta/redis';
import { ModelRequestError, OpenAICompatibleProvider } from '../../apps/model-provider/src/index.js';
import { scrubErrorText } from '../../apps/service/src/scrub-error-text.js';
import { record } from './figures.js';
import { redisChecksRun, startRedis, type RedisServer } from './support/redis-server.js';

const githubToken = 'ghp_R3v13wEdg3sCanary0123456789abcdEF';
const proxyPassword = 'Winter2026-Proxy!pw';

describe('service log scrubbing stays linear on adversarial text', () => {
  it('scrubs 100 KB of dotted, dashed and colon-slashed words in well under a second each', () => {
    let worstMs = 0;
    for (const text of ['a.'.repeat(50_000), 'a-'.repeat(50_000), '1a'.repeat(50_000), 'a:/'.repeat(33_000), `${'a.'.repeat(50_000)} https://u:${proxyPassword}@h/x`]) {
      const started = performance.now();
      const scrubbed = scrubErrorText(text);
      worstMs = Math.max(worstMs, performance.now() - started);
      expect(scrubbed).not.toContain(proxyPassword);
    }
    record('scrubErrorText100KbWorstMs', Math.round(worstMs));
    expect(worstMs).toBeLessThan(500);
  });
});

describe('Keploy recorder under hostile requests', () => {
  let root: string;
  let server: Server | undefined;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tta-review-edges-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    server = undefined;
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const listen = async (handler: Parameters<typeof createServer>[1]): Promise<number> => {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const send = async (port: number, head: string): Promise<void> => {
    const socket = connect(port, '127.0.0.1');
    socket.end(`${head}\r\nConnection: close\r\n\r\n`);
    await new Promise<void>((resolve) => socket.on('close', () => resolve()).resume());
  };

  it('records a proxy-style (absolute-form) target with its password hidden', async () => {
    const recorder = recordIncoming({ dir: root, testSet: 'absolute-form' });
    const port = await listen(recorder.wrap((_request, response) => response.end('ok')));
    await send(port, `GET http://svc:${proxyPassword}@upstream.example/v1?access_token=${githubToken} HTTP/1.1\r\nHost: upstream.example`);
    await recorder.flush();
    const text = readFileSync(join(root, 'absolute-form', 'tests', 'test-1.yaml'), 'utf8');
    expect(text).not.toContain(proxyPassword);
    expect(text).not.toContain(githubToken);
  });

  it('reports a test case it cannot write without the tokens of its URL', async () => {
    const printed: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')));
    mkdirSync(join(root, 'unwritable'), { recursive: true });
    writeFileSync(join(root, 'unwritable', 'tests'), 'a file where the tests folder should be');
    const recorder = recordIncoming({ dir: root, testSet: 'unwritable' });
    const port = await listen(recorder.wrap((_request, response) => response.end('ok')));
    await send(port, `GET /oauth/callback?access_token=${githubToken} HTTP/1.1\r\nHost: 127.0.0.1`);
    await recorder.flush();
    expect(printed.join('\n')).toContain('could not write a test case');
    expect(printed.join('\n')).not.toContain(githubToken);
  });
});

describe('Keploy replay timeouts beyond the host timer range', () => {
  it('a timeoutMs of 2^31 + 1, 9e15 or Infinity waits for a 30 ms answer instead of failing after 1 ms', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tta-review-edges-run-'));
    const server = createServer((_request, response) => {
      setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await writeTestSet(join(root, 'slow'), {
        mocks: [],
        tests: [{
          kind: 'Http',
          name: 'test-1',
          request: { method: 'GET', url: 'http://recorded.example/slow', headers: {}, body: '', timestamp: '2026-01-01T00:00:00.000Z' },
          response: { status: 200, statusMessage: 'OK', headers: { 'Content-Type': 'text/plain' }, body: 'ok', timestamp: '2026-01-01T00:00:00.030Z' },
          noise: {},
          created: 1_767_225_600,
          curl: '',
        }],
      });
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const timeoutMs of [2 ** 31 + 1, 9e15, Infinity]) {
        const result = await runTestSet({ dir: root, testSet: 'slow', baseUrl, mocks: false, timeoutMs });
        expect(result.results.map((test) => test.status), String(timeoutMs)).toEqual(['passed']);
      }
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Prometheus endpoint with a failing collector', () => {
  it('answers 500 without the credentials the collector quotes, and a non-printable rejection crashes nothing', async () => {
    const apiKey = 'sk-live-Scr4p3C4n4ry0123456789abcd';
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const logger = { warn: () => {} };
    expect(await initializeObservability({ enableTracing: false, metricsPort: 0, metricsHost: '127.0.0.1', defaultMetrics: false, logger })).toBe(true);
    try {
      const registry = getMetricsRegistry()!;
      const original = registry.metrics.bind(registry);
      const url = getObservabilityStatus().metricsUrl!;
      for (const reason of [new Error(`redis://:${proxyPassword}@cache:6379 refused (key ${apiKey})`), Object.create(null) as unknown]) {
        registry.metrics = () => Promise.reject(reason);
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        expect(response.status).toBe(500);
        const body = await response.text();
        expect(body).not.toContain(proxyPassword);
        expect(body).not.toContain(apiKey);
      }
      registry.metrics = original;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await shutdownObservability();
    }
  });
});

describe('observability status', () => {
  it('never returns the OTLP endpoint password it was configured with', async () => {
    const password = 'Otlp-Review-Pw-0123456';
    expect(await initializeObservability({ enablePrometheus: false, otlpEndpoint: `http://tenant:${password}@127.0.0.1:9/otlp`, logger: { warn: () => {} } })).toBe(true);
    try {
      expect(JSON.stringify(getObservabilityStatus())).not.toContain(password);
    } finally {
      await shutdownObservability();
    }
  });
});

describe('contextFromHeaders with a hostile x-correlation-id', () => {
  it('never takes C0/C1 controls, spaces or non-ASCII from the header as the correlation id', async () => {
    // What Node hands over for raw bytes 0x85 and 0x9b (latin1), as a client can send them.
    let seen: string | undefined;
    const server = createServer((request, response) => {
      seen = contextFromHeaders(request.headers).correlationId;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      socket.end(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nX-Correlation-Id: a'), Buffer.from([0x85, 0x9b]), Buffer.from('[31mred\r\nConnection: close\r\n\r\n')]));
      await new Promise<void>((resolve) => socket.on('close', () => resolve()).resume());
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(seen).toBeDefined();
    expect(seen).toMatch(/^[\x21-\x7e]+$/);
  });
});

describe('a hostile model endpoint', () => {
  const apiKey = 'sk-live-R3v13wK3yCanary0123456789';
  const answering = (status: number, body: string) =>
    new OpenAICompatibleProvider({ baseUrl: 'http://model.invalid/v1', apiKey, model: 'asked', fetch: async () => new Response(body, { status }) });
  const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };

  it('a non-string error.message is a typed ModelRequestError, not a TypeError', async () => {
    const error = await answering(500, '{"error":{"message":{"nested":true}}}').complete(ask).catch((caught: unknown) => caught);
    expect(ModelRequestError.isInstance(error)).toBe(true);
  });

  it('junk token counts and model names never reach the usage, the cost or the answer', async () => {
    const answer = await answering(200, '{"model":["x"],"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":-1e308,"completion_tokens":"9"}}').complete(ask);
    expect(answer.usage.inputTokens).toBeGreaterThanOrEqual(0);
    expect(typeof answer.usage.outputTokens).toBe('number');
    expect(Number.isFinite(answer.costUsd)).toBe(true);
    expect(answer.model).toBe('asked');
  });

  it('an echoed key that ends like ours is hidden whole', async () => {
    const echoed = `sk-live-EchoedHead${apiKey.slice('sk-live-'.length)}`;
    const error = await answering(502, `gateway saw ${echoed}`).complete(ask).catch((caught: unknown) => caught);
    expect((error as Error).message).not.toContain('EchoedHead');
  });
});

const runRedis = redisChecksRun();

describe.skipIf(!runRedis)('Redis duration options', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a lease wait ends at waitMs even when retryDelayMs is beyond 24.8 days', async () => {
    const connection = { port: redis.port };
    const holder = new RedisLease({ connection, prefix: 'review-edges:', resource: 'r' });
    const waiter = new RedisLease({ connection, prefix: 'review-edges:', resource: 'r', retryDelayMs: 2 ** 31 + 1 });
    try {
      expect(await holder.tryAcquire()).toBeDefined();
      const started = performance.now();
      const outcome = await Promise.race([
        waiter.acquire({ waitMs: 100 }).catch((caught: unknown) => caught),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000).unref()),
      ]);
      const waitedMs = performance.now() - started;
      record('leaseWaitWithLongRetryDelayMs', Math.round(waitedMs));
      expect(LeaseTimeoutError.isInstance(outcome)).toBe(true);
      expect(waitedMs).toBeLessThan(2_000);
    } finally {
      await Promise.all([holder.close(), waiter.close()]);
    }
  });

  it('a WorkerPool lock of 2^40 ms is renewed on an in-range timer, and a stalled check beyond 2^31 - 1 ms is refused', async () => {
    let overflows = 0;
    const onWarning = (warning: Error): void => {
      if (warning.name === 'TimeoutOverflowWarning') overflows++;
    };
    process.on('warning', onWarning);
    try {
      const pool = new WorkerPool({ connection: { port: redis.port }, prefix: 'review-edges-pool:', workflows: { one: step('one', () => 1) }, lockDurationMs: 2 ** 40 });
      await pool.waitUntilReady();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await pool.close();
    } finally {
      process.off('warning', onWarning);
    }
    record('workerPoolTimerOverflowsIn200Ms', overflows);
    expect(overflows).toBe(0);
    expect(() => new WorkerPool({ connection: { port: redis.port }, prefix: 'review-edges-pool:', workflows: { one: step('one', () => 1) }, stalledIntervalMs: 2 ** 31, autorun: false }))
      .toThrow(InvalidOptionsError);
  });

  it('a cache ttlMs and a rate-limit interval of 1e300 ms (accepted as finite) work instead of failing every call', async () => {
    const store = new RedisCacheStore({ connection: { port: redis.port }, prefix: 'review-edges-cache:' });
    const limiter = new RedisRateLimiter({ connection: { port: redis.port }, prefix: 'review-edges-limit:', tokensPerInterval: 1, intervalMs: 1e300 });
    try {
      let calls = 0;
      const cached = cache(step('answer', (question: string) => `${question}:${++calls}`), { ttlMs: 1e300, store });
      expect(await cached.execute(WorkflowContext.create(), 'q')).toBe('q:1');
      expect(await cached.execute(WorkflowContext.create(), 'q')).toBe('q:1');
      expect(await limiter.acquire('k', 1)).toEqual({ granted: true, retryAfterMs: 0 });
      const refused = await limiter.acquire('k', 1);
      expect(refused.granted).toBe(false);
      expect(Number.isSafeInteger(refused.retryAfterMs) && refused.retryAfterMs > 0).toBe(true);
    } finally {
      await Promise.all([store.close(), limiter.close()]);
    }
  });

  it('a shared-state TTL Redis cannot take is a typed input error, not a raw reply error', async () => {
    const state = new RedisSharedState({ connection: { port: redis.port }, prefix: 'review-edges:' });
    try {
      for (const ttlMs of [1e300, 2 ** 60]) {
        const error = await state.set({ scope: 'global', scopeId: '', key: 'k' }, 1, { ttlMs }).catch((caught: unknown) => caught);
        expect(InvalidInputError.isInstance(error)).toBe(true);
      }
      // The largest accepted TTL is stored.
      await expect(state.set({ scope: 'global', scopeId: '', key: 'k' }, 1, { ttlMs: Number.MAX_SAFE_INTEGER })).resolves.toMatchObject({ value: 1 });
    } finally {
      await state.close();
    }
  });
});
