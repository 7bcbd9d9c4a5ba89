import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionsError, WorkflowContext, step } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { ModelRequestError, ModelResponseError, modelStep, openAICompatible, parseRetryAfter, streamStep } from '@tta/models';
import { completion, hang, json, sse, startFakeOpenAIServer, type FakeOpenAIServer } from './test-support/fake-openai-server.js';

const apiKey = 'sk-test-0123456789abcdefghijklmnop';
let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

const hello = { messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('openAICompatible', () => {
  it('posts a chat completion with the key, headers and request fields, and reads the answer', async () => {
    server.answer(json(completion('Hi there', { prompt_tokens: 12, completion_tokens: 3 }, 'fake-model-2024')));
    const provider = openAICompatible({ baseUrl: server.baseUrl, apiKey, model: 'fake-model', headers: { 'X-Org': 'org-1' } });
    const response = await provider.generate({ ...hello, temperature: 0.2, maxOutputTokens: 50 }, {});
    expect(response).toEqual({ text: 'Hi there', model: 'fake-model-2024', usage: { inputTokens: 12, outputTokens: 3 }, finishReason: 'stop' });
    const seen = server.requests.at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(seen.headers['x-org']).toBe('org-1');
    expect(seen.body).toEqual({ model: 'fake-model', messages: hello.messages, temperature: 0.2, max_tokens: 50 });
  });

  it('turns 429 into a retryable error with retryAfterMs from Retry-After seconds', async () => {
    server.answer(json({ error: { message: 'slow down' } }, 429, { 'retry-after': '3' }));
    const error = await openAICompatible({ baseUrl: server.baseUrl, model: 'm' }).generate(hello, {}).catch((caught: unknown) => caught);
    expect(ModelRequestError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3000, code: 'MODEL_REQUEST_FAILED' });
  });

  it('reads Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'retry-after': '99999' }), now)).toBe(60_000);
  });

  it('makes 500 retryable and 400 not', async () => {
    server.answer(json({ error: { message: 'boom' } }, 500));
    await expect(openAICompatible({ baseUrl: server.baseUrl, model: 'm' }).generate(hello, {})).rejects.toMatchObject({ status: 500, retryable: true });
    server.answer(json({ error: { message: 'bad request' } }, 400));
    await expect(openAICompatible({ baseUrl: server.baseUrl, model: 'm' }).generate(hello, {})).rejects.toMatchObject({ status: 400, retryable: false, message: expect.stringContaining('bad request') });
  });

  it('never shows the API key: not in an error that echoes it, nor in JSON or inspect output', async () => {
    server.answer(json({ error: { message: `Incorrect API key provided: ${apiKey}` } }, 400));
    const provider = openAICompatible({ baseUrl: server.baseUrl, apiKey, model: 'm' });
    const error = (await provider.generate(hello, {}).catch((caught: unknown) => caught)) as Error;
    expect(error.message).not.toContain(apiKey);
    expect(error.message).not.toContain('0123456789abcdefghijklmnop');
    expect(JSON.stringify(provider)).not.toContain(apiKey);
    expect(inspect(provider, { depth: 5, showHidden: true })).not.toContain(apiKey);
    expect(Object.values(provider).join(' ')).not.toContain(apiKey);
    const described = JSON.stringify([modelStep(provider).describe(), streamStep(provider).describe()]);
    expect(described).not.toContain(apiKey);
    expect(modelStep(provider).describe()).toMatchObject({ kind: 'model', name: 'model(m)', options: { provider: 'openai-compatible', model: 'm' } });
  });

  it('never shows the API key to the instrumentation (what spans and metrics are made of) or in a log line', async () => {
    server.answer(json({ error: { message: `key ${apiKey} is over quota` } }, 429, { 'retry-after': '1' }));
    const seen: unknown[] = [];
    const lines: unknown[] = [];
    const registration = registerInstrumentation({
      onStart: (execution) => seen.push({ name: execution.name, kind: execution.kind }),
      onEnd: (execution, result) => seen.push({ name: execution.name, result: String((result as { error?: unknown }).error) }),
      onEvent: (event, source) => seen.push(event, source.name),
    });
    const log = (record: unknown) => lines.push(record);
    const context = WorkflowContext.create({ logger: { debug: log, info: log, warn: log, error: log } });
    try {
      const ask = step('ask and log', async (question: string, inner: WorkflowContext) => {
        try {
          return await modelStep(openAICompatible({ baseUrl: server.baseUrl, apiKey, model: 'm' })).execute(inner, question);
        } catch (error) {
          inner.logger.error({ error: String(error), message: (error as Error).message }, 'model call failed');
          throw error;
        }
      });
      await expect(ask.execute(context, 'Hello')).rejects.toBeInstanceOf(ModelRequestError);
    } finally {
      registration.dispose();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(lines.length).toBe(1);
    expect(JSON.stringify(seen)).not.toContain(apiKey);
    expect(JSON.stringify(lines)).not.toContain(apiKey);
  });

  it('turns an unreachable server into a retryable error with status 0', async () => {
    const closed = await startFakeOpenAIServer();
    const baseUrl = closed.baseUrl;
    await closed.close();
    await expect(openAICompatible({ baseUrl, apiKey, model: 'm' }).generate(hello, {})).rejects.toMatchObject({ status: 0, retryable: true });
  });

  it('refuses an answer without content with ModelResponseError', async () => {
    server.answer(json({ choices: [] }));
    await expect(openAICompatible({ baseUrl: server.baseUrl, model: 'm' }).generate(hello, {})).rejects.toBeInstanceOf(ModelResponseError);
  });

  it('closes the HTTP request when the signal aborts, and rejects with its reason', async () => {
    server.answer(hang);
    const controller = new AbortController();
    const seen = server.requests.length;
    const call = openAICompatible({ baseUrl: server.baseUrl, model: 'm' }).generate(hello, { signal: controller.signal });
    const request = await server.received(seen + 1);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await request.closedEarly;
  });

  it('streams text parts and the usage it asked for', async () => {
    server.answer(sse(['Hel', 'lo', '!'], { usage: { prompt_tokens: 7, completion_tokens: 3 } }));
    const parts = [];
    for await (const part of openAICompatible({ baseUrl: server.baseUrl, model: 'm' }).stream!(hello, {})) parts.push(part);
    expect(parts).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo' },
      { type: 'text', text: '!' },
      { type: 'finish', model: 'fake-model', usage: { inputTokens: 7, outputTokens: 3 }, finishReason: 'stop' },
    ]);
    expect(server.requests.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('refuses bad options with InvalidOptionsError naming the option', () => {
    expect(() => openAICompatible({ baseUrl: 'not a url', model: 'm' })).toThrow(InvalidOptionsError);
    expect(() => openAICompatible({ baseUrl: 'ftp://host/v1', model: 'm' })).toThrow(/baseUrl/);
    expect(() => openAICompatible({ baseUrl: server.baseUrl, model: '' })).toThrow(/model/);
    expect(() => openAICompatible({ baseUrl: server.baseUrl, model: 'm', headers: { a: 1 as never } })).toThrow(/headers\.a/);
    expect(() => openAICompatible({ baseUrl: `http://user:${apiKey}@127.0.0.1/v1`, model: '' })).toThrow(InvalidOptionsError);
    try {
      openAICompatible({ baseUrl: `http://user:${apiKey}@127.0.0.1/v1`, model: '' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(apiKey);
    }
  });
});
