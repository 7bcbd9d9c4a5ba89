import { afterEach, describe, expect, it } from 'vitest';
import { step } from '@tta/primitives';
import { sleep } from '@tta/primitives/instrumentation';
import { createJsonLogger, silentLogger, type Logger } from '@tta/primitives/logging';
import type { Answer } from './answer-workflow.js';
import { createService, type Service } from './service.js';

let service: Service | undefined;

afterEach(async () => {
  await service?.shutdown();
  service = undefined;
});

async function start(run: (question: string, signal: AbortSignal) => Promise<Answer>, requestTimeoutMs = 5_000, logger: Logger = silentLogger) {
  service = createService({ workflow: step('test-answer', (request: { question: string }, context) => run(request.question, context.signal)), logger, requestTimeoutMs });
  const address = await service.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${address.port}`;
}

const post = (base: string, body: unknown) => fetch(`${base}/v1/answer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('createService', () => {
  it('answers 502 with the correlation id when the models are down, logs the cause, and keeps serving', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const base = await start(async () => {
      throw new AggregateError([new Error('big: HTTP 503'), new Error('small: HTTP 503')], 'All 2 alternatives failed');
    }, 5_000, createJsonLogger({ write: (line) => logged.push(JSON.parse(line)) }));
    const response = await post(base, { question: 'Up?' });
    expect(response.status).toBe(502);
    const body = await response.json();
    expect(body.error).toBe('model_unavailable');
    expect(body.correlationId).toBe(response.headers.get('x-correlation-id'));
    // The cause is for the operator: in the request's log line, not in the client's body.
    expect(body.message).not.toContain('HTTP 503');
    expect(logged.find((line) => line.status === 502)).toMatchObject({ correlationId: body.correlationId, error: expect.stringContaining('small: HTTP 503') });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers 504 when the request runs out of its time budget, and aborts the work', async () => {
    let aborted = false;
    const base = await start(async (_question, signal) => {
      signal.addEventListener('abort', () => (aborted = true), { once: true });
      await sleep(5_000, signal);
      throw new Error('not reached');
    }, 50);
    const response = await post(base, { question: 'Slow?' });
    expect(response.status).toBe(504);
    expect((await response.json()).error).toBe('timeout');
    expect(aborted).toBe(true);
  });

  it('serves 503 on /metrics when observability is off, and the built-in snapshot as JSON', async () => {
    const base = await start(async (question) => ({ text: `[simulated] ${question}`, model: 'm', simulated: true, inputTokens: 1, outputTokens: 1, costUsd: 0 }));
    await post(base, { question: 'count me' });
    expect((await fetch(`${base}/metrics`)).status).toBe(503);
    const builtin = await (await fetch(`${base}/metrics/builtin`)).json();
    expect(builtin['test-answer']).toMatchObject({ kind: 'step', successes: expect.any(Number) });
  });

  it('refuses new connections once shut down, after the request in flight is answered', async () => {
    const base = await start(async (question) => {
      await sleep(100);
      return { text: `[simulated] ${question}`, model: 'm', simulated: true, inputTokens: 1, outputTokens: 1, costUsd: 0 };
    });
    const inFlight = post(base, { question: 'finish me' });
    await sleep(30);
    expect(service!.inFlight).toBe(1);
    const stopped = service!.shutdown();
    expect((await inFlight).status).toBe(200);
    await stopped;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
