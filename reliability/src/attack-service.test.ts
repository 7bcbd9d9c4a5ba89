// The sample HTTP service under an outside attack (issue #13, items 12, 13, 14 and 20): a log reader
// that goes away, an upstream that echoes our key, a client that hangs up mid-upload, a model
// endpoint that never stops talking, and odd headers and paths. No crash, no leaked secret.
import { execFileSync } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { step } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { createJsonLogger } from '@tta/primitives/logging';
import { OpenAICompatibleProvider, SimulatedModelProvider, ModelResponseTooLargeError } from '../../apps/model-provider/src/index.js';
import { createAnswerWorkflow, type Answer } from '../../apps/service/src/answer-workflow.js';
import type { AnswerRequest } from '../../apps/service/src/request-schema.js';
import { createService, type Service } from '../../apps/service/src/service.js';
import { repositoryRoot, ServiceProcess } from '../../apps/service/test/service-process.js';
import { record } from './figures.js';

const apiKey = 'sk-proj-AttackCanary0123456789abcdef';
const queryToken = 'ghp_AttackCanaryQueryToken012345';
const password = 'userinfo-canary-pw';

let service: Service | undefined;
const servers: Server[] = [];

afterEach(async () => {
  await service?.shutdown();
  service = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** Starts an in-process service whose JSON log lines are kept exactly as they would be printed. */
async function startService(workflow: Parameters<typeof createService>[0]['workflow']) {
  const printed: string[] = [];
  service = createService({ workflow, logger: createJsonLogger({ write: (line) => printed.push(line) }), requestTimeoutMs: 10_000 });
  const { port } = await service.listen(0, '127.0.0.1');
  return { base: `http://127.0.0.1:${port}`, port, printed, lines: () => printed.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

async function startUpstream(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const answerOf = (question: string): Answer => ({ text: `[simulated] ${question}`, model: 'm', simulated: true, inputTokens: 1, outputTokens: 1, costUsd: 0 });
const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/answer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const canaries = new RegExp([apiKey, apiKey.slice(9), queryToken, password].join('|'));

describe('service process: a log reader that goes away (item 12)', () => {
  let serviceProcess: ServiceProcess;

  beforeAll(() => {
    // Only the two apps are compiled (tsc), against the packages' current builds.
    for (const name of ['@tta-apps/model-provider', '@tta-apps/service']) {
      execFileSync('pnpm', ['--filter', name, 'build'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    }
  }, 120_000);

  afterAll(async () => {
    await serviceProcess?.stop('SIGKILL');
  });

  it('keeps serving after stdout breaks with EPIPE, and finishes the request in flight', async () => {
    serviceProcess = new ServiceProcess({ TTA_OBSERVABILITY: 'off', TTA_SIM_LATENCY_MS: '300', TTA_SIM_FAILURE_RATE: '0', TTA_SIM_SLOW_RATE: '0', LOG_LEVEL: 'debug' });
    await serviceProcess.start();
    const inFlight = post(serviceProcess.baseUrl, { question: 'Do you survive your log reader?' }, { 'x-correlation-id': 'corr-epipe' });
    await serviceProcess.waitForLine((line) => line.msg === 'request started' && line.correlationId === 'corr-epipe');
    serviceProcess.closeStdout();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).answer).toMatch(/^\[simulated\]/);
    // Later requests are served too, and the drops are counted where an operator can see them.
    for (let index = 0; index < 5; index++) expect((await post(serviceProcess.baseUrl, { question: `after ${index}` })).status).toBe(200);
    const health = await (await fetch(`${serviceProcess.baseUrl}/healthz`)).json();
    expect(health.status).toBe('ok');
    expect(health.droppedLogLines).toBeGreaterThanOrEqual(6);
    expect(serviceProcess.exitCode).toBeNull();
    record('service: log lines dropped after EPIPE (6 requests)', health.droppedLogLines);
    expect(await serviceProcess.stop('SIGTERM')).toBe(0);
  });
});

describe('service: secrets in responses and logs (item 13)', () => {
  it('answers an echoing gateway’s 502 with the correlation id only: no key, no userinfo, no query token', async () => {
    const gateway = await startUpstream((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`gateway error; you sent ${JSON.stringify(request.headers)} to ${request.url}`);
      });
    });
    const model = new OpenAICompatibleProvider({ baseUrl: `http://relay:${password}@${gateway}/v1?access_token=${queryToken}`, apiKey, model: 'm' });
    const { base, printed, lines } = await startService(createAnswerWorkflow({ primary: model, backup: model, maxAttempts: 2, initialDelayMs: 1 }));
    const response = await post(base, { question: 'Leak?' }, { 'x-correlation-id': 'corr-gateway' });
    const text = await response.text();
    expect(response.status).toBe(502);
    expect(JSON.parse(text)).toMatchObject({ error: 'model_unavailable', correlationId: 'corr-gateway' });
    expect(text).not.toMatch(canaries);
    expect(text).not.toMatch(/relay|127\.0\.0\.1|chat\/completions|gateway error/);
    expect(printed.join('\n')).not.toMatch(canaries);
    expect(lines().find((line) => line.status === 502)).toMatchObject({ correlationId: 'corr-gateway', error: expect.stringContaining('HTTP 502') });
  });

  it('logs a dropped upload as exactly one 499 client_closed line, redacted, with the correlation id', async () => {
    const { port, printed, lines } = await startService(step('never-run', async () => answerOf('never')));
    await new Promise<void>((resolve) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/v1/answer?access_token=${queryToken}`,
        headers: { 'content-type': 'application/json', 'content-length': '4096', 'x-correlation-id': 'corr-upload' },
      });
      request.on('error', () => resolve());
      request.write('{"question": "an upload cut in the mid');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 50);
    });
    for (let waited = 0; waited < 2_000 && lines().length === 0; waited += 10) await sleep(10);
    await sleep(100);
    expect(lines()).toEqual([expect.objectContaining({ msg: 'request', status: 499, error: 'client_closed', correlationId: 'corr-upload', path: '/v1/answer' })]);
    expect(printed.join('\n')).not.toMatch(canaries);
  });
});

describe('service: unbounded upstream bodies (item 14)', () => {
  it('cuts an endless model response at the cap with ModelResponseTooLargeError, RSS bounded', async () => {
    let sentBytes = 0;
    // Bounded: the endless server gives up on its own after 1 GiB if nobody hangs up.
    const endpoint = await startUpstream((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"choices":[{"message":{"content":"');
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      const pump = () => {
        while (sentBytes < 1024 * 1024 * 1024 && !response.destroyed) {
          sentBytes += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    const model = new OpenAICompatibleProvider({ baseUrl: `http://${endpoint}/v1`, model: 'm' });
    globalThis.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const started = performance.now();
    const error = await model.complete({ messages: [{ role: 'user', content: 'talk forever' }] }).catch((caught: unknown) => caught);
    const elapsedMs = performance.now() - started;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(ModelResponseTooLargeError.isInstance(error)).toBe(true);
    expect((error as ModelResponseTooLargeError).limitBytes).toBe(model.maxResponseBytes);
    const growthMb = (peak - before) / 1024 / 1024;
    expect(growthMb).toBeLessThan(100);
    expect(sentBytes).toBeLessThan(1024 * 1024 * 1024);
    record('service: RSS growth reading an endless model body (MB)', Math.round(growthMb * 10) / 10);
    record('service: time to reject an endless model body (ms)', Math.round(elapsedMs));

    // Through the service, the same endpoint is a 502 with the typed code in the log only.
    const { base, lines } = await startService(createAnswerWorkflow({ primary: model, backup: model, maxAttempts: 1 }));
    const response = await post(base, { question: 'Endless?' });
    expect(response.status).toBe(502);
    expect(lines().find((line) => line.status === 502)?.error).toMatch(/larger than 4194304 bytes/);
  });
});

describe('service: details of the protocol (item 20)', () => {
  it('strips C1 controls from x-correlation-id before echoing or logging it', async () => {
    const { port, printed } = await startService(step('ok', async (request: AnswerRequest) => answerOf(request.question)));
    const echoed = await new Promise<unknown>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/answer', headers: { 'content-type': 'application/json', 'x-correlation-id': 'id\u0085\u009b2J-1' } });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve(response.headers['x-correlation-id']));
      });
      request.on('error', reject);
      request.end(JSON.stringify({ question: 'C1?' }));
    });
    expect(echoed).toBe('id2J-1');
    expect(printed.join('').includes('\u0085') || printed.join('').includes('\u009b')).toBe(false);
  });

  it('answers 404 for an unknown path with any method, and never echoes baggage', async () => {
    const { base } = await startService(step('ok', async (request: AnswerRequest) => answerOf(request.question)));
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) expect((await fetch(`${base}/admin`, { method })).status, method).toBe(404);
    const response = await post(base, { question: 'Baggage?' }, { baggage: 'tenant=acme,secret=opaque' });
    expect(response.status).toBe(200);
    expect(response.headers.get('baggage')).toBeNull();
  });

  it('says shared, not cached, for a request that joined a single-flight model call', async () => {
    const model = new SimulatedModelProvider({ model: 'sim', latencyMs: 150 });
    const { base } = await startService(createAnswerWorkflow({ primary: model, backup: model }));
    const leader = post(base, { question: 'Shared?' });
    await sleep(40);
    const joined = await (await post(base, { question: 'shared?' })).json();
    expect(await (await leader).json()).toMatchObject({ cached: false, shared: false });
    expect(joined).toMatchObject({ cached: false, shared: true });
    expect(await (await post(base, { question: 'Shared?' })).json()).toMatchObject({ cached: true, shared: false });
    expect(model.calls).toBe(1);
  });
});
