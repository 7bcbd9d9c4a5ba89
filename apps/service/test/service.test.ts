import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildService, OtlpReceiver, ServiceProcess } from './service-process.js';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpanId = '00f067aa0ba902b7';

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/answer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('service', () => {
  const receiver = new OtlpReceiver();
  let service: ServiceProcess;
  let exitCode: number | null = null;

  beforeAll(async () => {
    buildService();
    await receiver.start();
    service = new ServiceProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      TTA_SIM_LATENCY_MS: '5-15',
      TTA_SIM_FAILURE_RATE: '0',
      TTA_SIM_SLOW_RATE: '0',
    });
    await service.start();
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await receiver.stop();
  });

  it('answers a valid question with a simulated answer, then from the cache', async () => {
    const first = await post(service.baseUrl, { question: 'Why put a timeout around a model call?' });
    expect(first.status).toBe(200);
    const body = await first.json();
    expect(body.answer).toMatch(/^\[simulated\] /);
    expect(body.simulated).toBe(true);
    expect(body.cached).toBe(false);
    expect(first.headers.get('x-correlation-id')).toBe(body.correlationId);
    const second = await (await post(service.baseUrl, { question: 'why put a timeout around a model call?' })).json();
    expect(second.cached).toBe(true);
    expect(second.answer).toBe(body.answer);
    const fresh = await (await post(service.baseUrl, { question: 'Why put a timeout around a model call?', fresh: true })).json();
    expect(fresh.cached).toBe(false);
  });

  it('answers bad input with 4xx and the issues, and keeps serving', async () => {
    const missing = await post(service.baseUrl, {});
    expect(missing.status).toBe(400);
    const missingBody = await missing.json();
    expect(missingBody.error).toBe('invalid_request');
    expect(missingBody.issues).toContainEqual(expect.objectContaining({ path: 'question', code: 'invalid_type' }));

    const wrong = await (await post(service.baseUrl, { question: '   ', maxTokens: -3, extra: true })).json();
    expect(wrong.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(['(body)', 'maxTokens', 'question']);

    expect((await post(service.baseUrl, '{"question": ')).status).toBe(400);
    expect((await post(service.baseUrl, '[1, 2]')).status).toBe(400);
    expect((await post(service.baseUrl, 'null')).status).toBe(400);
    expect((await post(service.baseUrl, 'question=hi', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(service.baseUrl, { question: 'x'.repeat(20_000) })).status).toBe(413);
    expect((await fetch(`${service.baseUrl}/v1/answer`)).status).toBe(405);
    expect((await fetch(`${service.baseUrl}/nope`)).status).toBe(404);

    const health = await fetch(`${service.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('joins the caller’s trace from traceparent and logs the correlation id', async () => {
    const response = await post(
      service.baseUrl,
      { question: 'Which trace does this join?' },
      { traceparent: `00-${traceId}-${callerSpanId}-01`, 'x-correlation-id': 'corr-traced-1' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe('corr-traced-1');
    const outgoing = response.headers.get('traceparent') ?? '';
    expect(outgoing).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(outgoing).not.toContain(callerSpanId);
    const line = await service.waitForLine((entry) => entry.msg === 'request' && entry.correlationId === 'corr-traced-1');
    expect(line).toMatchObject({ level: 'info', status: 200, traceId, service: 'tta-service' });
  });

  it('serves Prometheus metrics of the workflow, the model calls and their tokens', async () => {
    const response = await fetch(`${service.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/tta_primitive_executions_total\{primitive="answer",kind="step",status="success"\} [1-9]/);
    expect(text).toMatch(/tta_primitive_executions_total\{primitive="answer-cache",kind="cache",status="success"\} [1-9]/);
    const llmBuckets = text.split('\n').filter((line) => line.startsWith('tta_primitive_duration_seconds_bucket{') && line.includes('primitive="llm-primary"'));
    expect(llmBuckets.find((line) => line.includes('le="+Inf"'))).toMatch(/ [1-9]\d*$/);
    expect(text).toMatch(/tta_cache_requests_total\{[^}]*result="hit"[^}]*\} [1-9]/);
    expect(text).toMatch(/tta_llm_tokens_total\{[^}]*\} [1-9]/);
    // Tokens and cost per model, from the usage each model call reports to its run.
    expect(text).toMatch(/^tta_llm_tokens_total\{model="[^"]+",type="input"\} [1-9]/m);
    expect(text).toMatch(/^tta_llm_tokens_total\{model="[^"]+",type="output"\} [1-9]/m);
    const costs = text.split('\n').filter((line) => line.startsWith('tta_llm_cost_usd_total{model="'));
    expect(costs.length).toBeGreaterThan(0);
    expect(costs.every((line) => Number(line.split(' ').at(-1)) > 0)).toBe(true);
    expect(text).not.toContain('corr-traced-1');
    // The observability package's own /metrics server serves the same registry.
    expect(service.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(await (await fetch(service.metricsUrl)).text()).toContain('tta_primitive_executions_total');
  });

  it('stops on SIGTERM after finishing the request in flight, and flushes its spans', async () => {
    const slow = new ServiceProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TTA_SIM_LATENCY_MS: '600', TTA_SIM_FAILURE_RATE: '0', TTA_SIM_SLOW_RATE: '0', LOG_LEVEL: 'debug' });
    await slow.start();
    const slowTraceId = 'aaaabbbbccccddddeeeeffff00001111';
    const inFlight = post(slow.baseUrl, { question: 'Will this finish during shutdown?' }, { traceparent: `00-${slowTraceId}-${callerSpanId}-01`, 'x-correlation-id': 'corr-shutdown' });
    await slow.waitForLine((line) => line.msg === 'request started' && line.correlationId === 'corr-shutdown');
    const exit = slow.stop('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).answer).toMatch(/^\[simulated\]/);
    exitCode = await exit;
    expect(exitCode).toBe(0);
    expect(slow.lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down', 'request', 'stopped']));
    const order = slow.lines.map((line) => line.msg);
    expect(order.indexOf('request')).toBeLessThan(order.indexOf('stopped'));
    expect(slow.lines.find((line) => line.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM', inFlight: 1 });
    // Spans of the request were exported before the process exited.
    const spans = receiver.spans.filter((span) => span.traceId === slowTraceId);
    const names = spans.map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(['http-answer', 'answer', 'answer-cache', 'llm-retry', 'llm-fallback', 'llm-primary-timeout', 'llm-primary']));
    const root = spans.find((span) => span.name === 'http-answer');
    expect(root?.parentSpanId).toBe(callerSpanId);
    expect(names.some((name) => name.startsWith('chat '))).toBe(true);
    await expect(fetch(`${slow.baseUrl}/healthz`)).rejects.toThrow();
  });

  it('keeps serving when its log reader exits (EPIPE), finishing the request in flight', async () => {
    const orphan = new ServiceProcess({ TTA_OBSERVABILITY: 'off', TTA_SIM_LATENCY_MS: '300', TTA_SIM_FAILURE_RATE: '0', TTA_SIM_SLOW_RATE: '0', LOG_LEVEL: 'debug' });
    await orphan.start();
    try {
      const inFlight = post(orphan.baseUrl, { question: 'Still there?' }, { 'x-correlation-id': 'corr-orphan' });
      await orphan.waitForLine((line) => line.msg === 'request started' && line.correlationId === 'corr-orphan');
      orphan.closeStdout();
      expect((await inFlight).status).toBe(200);
      expect((await post(orphan.baseUrl, { question: 'And now?' })).status).toBe(200);
      expect((await (await fetch(`${orphan.baseUrl}/healthz`)).json()).droppedLogLines).toBeGreaterThanOrEqual(2);
      expect(orphan.exitCode).toBeNull();
    } finally {
      await orphan.stop('SIGKILL');
    }
  });

  it('holds up under a short bounded load with no errors', async () => {
    const { default: autocannon } = await import('autocannon');
    const result = await autocannon({
      url: `${service.baseUrl}/v1/answer`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      connections: 8,
      duration: 1,
      requests: [{ setupRequest: (request) => ({ ...request, body: JSON.stringify({ question: `load ${Math.floor(Math.random() * 50)}` }) }) }],
    });
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.requests.total).toBeGreaterThan(20);
  });
});
