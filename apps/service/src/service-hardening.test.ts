// The service facing hostile clients and upstreams: what a client sees of a failure, what reaches
// the logs, and how odd requests are answered.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { step, type WorkflowPrimitive } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { createJsonLogger } from '@tta/primitives/logging';
import { OpenAICompatibleProvider, SimulatedModelProvider } from '@tta-apps/model-provider';
import { createAnswerWorkflow, type Answer } from './answer-workflow.js';
import type { AnswerRequest } from './request-schema.js';
import { createService, type Service } from './service.js';

const apiKey = 'sk-proj-Zr4nd0mKeyMaterial0123456789';
let service: Service | undefined;
let upstream: Server | undefined;

afterEach(async () => {
  await service?.shutdown();
  service = undefined;
  if (upstream !== undefined) {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream!.close(() => resolve()));
    upstream = undefined;
  }
});

/** Starts the service with a JSON logger whose lines are kept, exactly as they would be printed. */
async function start(workflow: WorkflowPrimitive<AnswerRequest, Answer>, requestTimeoutMs = 5_000) {
  const printed: string[] = [];
  service = createService({ workflow, logger: createJsonLogger({ write: (line) => printed.push(line) }), requestTimeoutMs });
  const address = await service.listen(0, '127.0.0.1');
  const lines = () => printed.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { base: `http://127.0.0.1:${address.port}`, port: address.port, printed, lines };
}

const answerOf = (question: string): Answer => ({ text: `[simulated] ${question}`, model: 'm', simulated: true, inputTokens: 1, outputTokens: 1, costUsd: 0 });
const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/answer`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** A gateway on loopback that fails every call and echoes the request's Authorization header. */
async function echoingGateway(): Promise<string> {
  upstream = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `bad gateway for authorization: ${request.headers.authorization ?? ''}` } }));
    });
  });
  await new Promise<void>((resolve) => upstream!.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}

describe('createService under attack', () => {
  it('answers an upstream 502 with a generic message and the correlation id, never the key or the endpoint', async () => {
    const gateway = await echoingGateway();
    const model = new OpenAICompatibleProvider({ baseUrl: `http://relay:pa55word-relay@${gateway}/v1?access_token=ghp_0123456789abcdefghijklmn`, apiKey, model: 'm' });
    const { base, lines, printed } = await start(createAnswerWorkflow({ primary: model, backup: model, maxAttempts: 1 }));
    const response = await post(base, { question: 'Leak?' }, { 'x-correlation-id': 'corr-502' });
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'model_unavailable', message: expect.any(String), correlationId: 'corr-502' });
    expect(text).not.toMatch(/Zr4nd0m|pa55word|relay|access_token|ghp_|127\.0\.0\.1|chat\/completions|HTTP 502/);
    // The operator still learns what failed, from the log line of the request.
    const line = lines().find((entry) => entry.msg === 'request' && entry.status === 502);
    expect(line).toMatchObject({ correlationId: 'corr-502', error: expect.stringContaining('HTTP 502') });
    expect(printed.join('\n')).not.toMatch(/Zr4nd0m|pa55word|access_token|ghp_/);
  });

  it('answers 504 with a generic message too', async () => {
    const { base } = await start(
      step('slow', async (_request: AnswerRequest, context) => {
        await sleep(5_000, context.signal);
        return answerOf('never');
      }),
      30,
    );
    const response = await post(base, { question: 'Slow?' });
    expect(response.status).toBe(504);
    const body = await response.json();
    expect(body).toEqual({ error: 'timeout', message: 'the request ran out of time; quote the correlation id when reporting it', correlationId: expect.any(String) });
  });

  it('logs a dropped upload as one 499 client_closed request line with the correlation id and no query', async () => {
    const { port, lines, printed } = await start(step('never', async () => answerOf('never')));
    await new Promise<void>((resolve) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/answer?access_token=ghp_0123456789abcdefghijklmn&sig=opaque-signature-value',
        headers: { 'content-type': 'application/json', 'content-length': '1000', 'x-correlation-id': 'corr-dropped' },
      });
      request.on('error', () => resolve());
      request.write('{"question": "half an upl');
      // Give the server the first chunk, then hang up in the middle of the body.
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 50);
    });
    for (let waited = 0; waited < 2_000 && !lines().some((line) => line.status === 499); waited += 10) await sleep(10);
    await sleep(50);
    const entries = lines();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ msg: 'request', level: 'warn', status: 499, error: 'client_closed', correlationId: 'corr-dropped', path: '/v1/answer' });
    expect(printed.join('\n')).not.toMatch(/access_token|ghp_|opaque-signature/);
  });

  it('strips C1 controls (U+0085, U+009B) from x-correlation-id before echoing or logging it', async () => {
    const { port, lines, printed } = await start(step('ok', async (request: AnswerRequest) => answerOf(request.question)));
    const status = await new Promise<{ status: number | undefined; correlation: unknown }>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/answer',
        // latin1: the bytes 0x85 and 0x9b reach the server as U+0085 and U+009B.
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr\u0085-c1\u009b31m' },
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode, correlation: response.headers['x-correlation-id'] }));
      });
      request.on('error', reject);
      request.end(JSON.stringify({ question: 'C1?' }));
    });
    expect(status).toEqual({ status: 200, correlation: 'corr-c131m' });
    expect(lines().find((line) => line.msg === 'request')).toMatchObject({ correlationId: 'corr-c131m' });
    const controls = printed.flatMap((line) => [...line]).filter((character) => {
      const code = character.codePointAt(0)!;
      return code < 0x20 || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
  });

  it('answers 404 for an unknown path whatever the method, and 405 only on known paths', async () => {
    const { base } = await start(step('ok', async (request: AnswerRequest) => answerOf(request.question)));
    expect((await fetch(`${base}/nope`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/nope`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/v1/answer`)).status).toBe(405);
  });

  it('does not echo inbound baggage in the response', async () => {
    const { base } = await start(step('ok', async (request: AnswerRequest) => answerOf(request.question)));
    const response = await post(base, { question: 'Baggage?' }, { baggage: 'userId=alice,session=s3cr3t-session', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    expect(response.status).toBe(200);
    expect(response.headers.get('baggage')).toBeNull();
    expect(response.headers.get('traceparent')).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);
  });

  it('says shared, not cached, for a request that joined another request’s model call', async () => {
    const model = new SimulatedModelProvider({ model: 'sim', latencyMs: 100 });
    const { base, lines } = await start(createAnswerWorkflow({ primary: model, backup: model }));
    const first = post(base, { question: 'Together?' });
    await sleep(30);
    const joined = await (await post(base, { question: 'together?' })).json();
    const leader = await (await first).json();
    const later = await (await post(base, { question: 'Together?' })).json();
    expect(leader).toMatchObject({ cached: false, shared: false });
    expect(joined).toMatchObject({ cached: false, shared: true, answer: leader.answer });
    expect(later).toMatchObject({ cached: true, shared: false });
    expect(model.calls).toBe(1);
    expect(lines().filter((line) => line.msg === 'request').map((line) => line.cache).sort()).toEqual(['hit', 'miss', 'shared']);
  });
});

describe('failures the service cannot print', () => {
  it('answers 502 and logs a line when the workflow rejects with a value String() cannot print or a cyclic AggregateError', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const cyclic = new AggregateError([], 'all failed');
      (cyclic.errors as unknown[]).push(cyclic);
      for (const reason of [Object.create(null) as unknown, cyclic]) {
        const { base, lines } = await start(step('hostile', () => Promise.reject(reason)) as unknown as WorkflowPrimitive<AnswerRequest, Answer>);
        const response = await Promise.race([post(base, { question: 'hi' }), sleep(3_000).then(() => undefined)]);
        expect(response?.status).toBe(502);
        expect(lines().some((line) => line.status === 502)).toBe(true);
        await service?.shutdown();
        service = undefined;
      }
      await sleep(20);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
