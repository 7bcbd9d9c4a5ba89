import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModelProvider } from './create-model-provider.js';
import { ModelConfigurationError } from './errors/model-configuration-error.js';
import { ModelRequestError } from './errors/model-request-error.js';
import { OpenAICompatibleProvider, parseRetryAfter } from './openai-compatible-provider.js';
import { SimulatedModelProvider } from './simulated-model-provider.js';

interface Received {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly authorization: string | undefined;
  readonly body: any;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: any) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const received: Received[] = [];
const validKey = 'sk-test-valid';

const completion: Handler = (_request, response, body) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({
    model: body.model,
    choices: [{ message: { role: 'assistant', content: `echo: ${body.messages.at(-1).content}` } }],
    usage: { prompt_tokens: 12, completion_tokens: 5 },
  }));
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const body = raw === '' ? undefined : JSON.parse(raw);
      received.push({ method: request.method, url: request.url, authorization: request.headers.authorization, body });
      if (request.headers.authorization !== undefined && request.headers.authorization !== `Bearer ${validKey}`) {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'Incorrect API key provided' } }));
        return;
      }
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  handler = completion;
});

const ask = { messages: [{ role: 'user' as const, content: 'hello' }], maxTokens: 50, temperature: 0.2 };

describe('OpenAICompatibleProvider against a fake server on loopback', () => {
  it('posts the chat request and reads the answer and the usage', async () => {
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: validKey, model: 'fake-model' });
    const answer = await model.complete(ask);
    expect(answer.text).toBe('echo: hello');
    expect(answer.simulated).toBe(false);
    expect(answer.usage).toEqual({ inputTokens: 12, outputTokens: 5 });
    expect(answer.costUsd).toBeGreaterThan(0);
    expect(received).toHaveLength(1);
    expect(received[0]!.method).toBe('POST');
    expect(received[0]!.url).toBe('/v1/chat/completions');
    expect(received[0]!.authorization).toBe(`Bearer ${validKey}`);
    expect(received[0]!.body).toEqual({ model: 'fake-model', messages: ask.messages, max_tokens: 50, temperature: 0.2 });
  });

  it('turns a wrong key into a one-line error that names OPENAI_API_KEY', async () => {
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: 'sk-wrong', model: 'fake-model' });
    const error = await model.complete(ask).catch((caught: unknown) => caught);
    expect(ModelConfigurationError.isInstance(error)).toBe(true);
    const message = (error as ModelConfigurationError).message;
    expect(message).toMatch(/set OPENAI_API_KEY/);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('sk-wrong');
    expect((error as ModelConfigurationError).variable).toBe('OPENAI_API_KEY');
    expect((error as ModelConfigurationError).retryable).toBe(false);
  });

  it('says the key is missing when a server that needs one gets none', async () => {
    handler = (_request, response) => {
      response.writeHead(401);
      response.end();
    };
    const model = new OpenAICompatibleProvider({ baseUrl, model: 'fake-model' });
    await expect(model.complete(ask)).rejects.toThrow(/needs an API key \(HTTP 401\): set OPENAI_API_KEY$/);
  });

  it('makes a 429 retryable and carries the server’s retry-after', async () => {
    handler = (_request, response) => {
      response.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: 'Rate limit reached' } }));
    };
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: validKey, model: 'fake-model' });
    const error = (await model.complete(ask).catch((caught: unknown) => caught)) as ModelRequestError;
    expect(ModelRequestError.isInstance(error)).toBe(true);
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.message).toContain('Rate limit reached');
  });

  it('makes a 400 not retryable and a 503 retryable', async () => {
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: validKey, model: 'fake-model' });
    handler = (_request, response) => {
      response.writeHead(400);
      response.end('bad request');
    };
    await expect(model.complete(ask)).rejects.toMatchObject({ status: 400, retryable: false });
    handler = (_request, response) => {
      response.writeHead(503);
      response.end();
    };
    await expect(model.complete(ask)).rejects.toMatchObject({ status: 503, retryable: true });
  });

  it('points at OPENAI_MODEL on a 404', async () => {
    handler = (_request, response) => {
      response.writeHead(404);
      response.end();
    };
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: validKey, model: 'no-such-model' });
    await expect(model.complete(ask)).rejects.toThrow(/check OPENAI_MODEL/);
  });

  it('rejects an answer without choices', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    };
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: validKey, model: 'fake-model' });
    await expect(model.complete(ask)).rejects.toMatchObject({ status: 502, retryable: false });
  });

  it('rejects with the caller’s abort reason while the server is slow', async () => {
    handler = () => {
      // never answers
    };
    const model = new OpenAICompatibleProvider({ baseUrl, apiKey: validKey, model: 'fake-model' });
    const controller = new AbortController();
    const pending = model.complete(ask, { signal: controller.signal });
    const reason = new Error('stop');
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
  });

  it('reports an unreachable endpoint as a retryable error that names OPENAI_BASE_URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const model = new OpenAICompatibleProvider({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'fake-model' });
    await expect(model.complete(ask)).rejects.toMatchObject({ status: 0, retryable: true, message: expect.stringContaining('OPENAI_BASE_URL') });
  });
});

describe('createModelProvider', () => {
  it('uses the simulated model when nothing is configured', () => {
    expect(createModelProvider({ env: {} })).toBeInstanceOf(SimulatedModelProvider);
    expect(createModelProvider({ env: { TTA_MODEL_PROVIDER: 'simulated', OPENAI_API_KEY: 'k' } })).toBeInstanceOf(SimulatedModelProvider);
  });

  it('uses the real endpoint from the environment', async () => {
    const model = createModelProvider({ env: { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: validKey, OPENAI_MODEL: 'fake-model' } });
    expect(model.simulated).toBe(false);
    expect((await model.complete(ask)).text).toBe('echo: hello');
  });

  it('asks for OPENAI_API_KEY when the OpenAI API is chosen without a key', () => {
    expect(() => createModelProvider({ env: { TTA_MODEL_PROVIDER: 'openai' } })).toThrow(/^OPENAI_API_KEY is not set: set OPENAI_API_KEY/);
    expect(() => createModelProvider({ env: { OPENAI_BASE_URL: 'https://api.openai.com/v1' } })).toThrow(ModelConfigurationError);
  });

  it('asks for OPENAI_MODEL for a local endpoint without a model name', () => {
    expect(() => createModelProvider({ env: { OPENAI_BASE_URL: baseUrl } })).toThrow(/OPENAI_MODEL is not set: set OPENAI_MODEL/);
  });

  it('names OPENAI_BASE_URL when it is not a URL, and TTA_MODEL_PROVIDER when unknown', () => {
    expect(() => createModelProvider({ env: { OPENAI_BASE_URL: 'not a url', OPENAI_MODEL: 'm' } })).toThrow(/set OPENAI_BASE_URL/);
    expect(() => createModelProvider({ env: { TTA_MODEL_PROVIDER: 'magic' } })).toThrow(/set TTA_MODEL_PROVIDER/);
  });
});

describe('parseRetryAfter', () => {
  it('reads milliseconds, seconds and dates, bounded to a minute', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '150' }))).toBe(150);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3600' }))).toBe(60_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 5_000)).toBe(5_000);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});
