// What a hostile or broken endpoint can do to the provider: echo the key back, answer forever,
// or be configured with credentials in its URL. None of it may leak a secret or exhaust memory.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModelProvider, describeModelProvider } from './create-model-provider.js';
import { ModelRequestError } from './errors/model-request-error.js';
import { ModelResponseTooLargeError } from './errors/model-response-too-large-error.js';
import { DEFAULT_MAX_RESPONSE_BYTES, OpenAICompatibleProvider } from './openai-compatible-provider.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let origin: string;
let handler: Handler;
const seen: Array<{ url: string | undefined; authorization: string | undefined }> = [];
const apiKey = 'sk-live-0123456789abcdefghij';
const ask = { messages: [{ role: 'user' as const, content: 'hello' }] };

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url, authorization: request.headers.authorization });
    request.resume();
    request.on('end', () => handler(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
});

describe('OpenAICompatibleProvider against a hostile endpoint', () => {
  it('keeps the API key out of the error when a gateway echoes the request headers', async () => {
    // A gateway that answers 502 with a dump of what it received, in two shapes.
    handler = (request, response) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`upstream failed; request was: authorization=${request.headers.authorization ?? ''} key=${apiKey.slice(7)}`);
    };
    const model = new OpenAICompatibleProvider({ baseUrl: `http://${origin}/v1`, apiKey, model: 'm' });
    const error = await model.complete(ask).catch((caught: unknown) => caught);
    expect(ModelRequestError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('HTTP 502');
    expect(message).not.toContain(apiKey);
    expect(message).not.toContain(apiKey.slice(7));
    expect(message).toContain('[REDACTED]');
  });

  it('never names the userinfo or the query of the endpoint, and sends the userinfo as basic auth', async () => {
    handler = (_request, response) => {
      response.writeHead(503);
      response.end('busy');
    };
    const model = new OpenAICompatibleProvider({ baseUrl: `http://gateway-user:hunter2-password@${origin}/v1?access_token=ghp_abcdefghijklmnopqrstuvwxyz`, model: 'm' });
    expect(model.endpoint).toBe(`http://${origin}/v1/chat/completions`);
    expect(describeModelProvider(model)).not.toMatch(/hunter2|gateway-user|access_token/);
    const error = await model.complete(ask).catch((caught: unknown) => caught);
    expect(ModelRequestError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toMatch(/hunter2|gateway-user|access_token|ghp_/);
    // The request itself still goes where it was configured to go, query and credentials included.
    expect(seen[0]!.url).toBe('/v1/chat/completions?access_token=ghp_abcdefghijklmnopqrstuvwxyz');
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from('gateway-user:hunter2-password').toString('base64')}`);
  });

  it('stops reading an endless body at maxResponseBytes with ModelResponseTooLargeError', async () => {
    let written = 0;
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      // Bounded: the server stops on its own after 64 MiB if the client never hangs up.
      const pump = () => {
        while (written < 64 * 1024 * 1024 && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      response.write('{"choices":[{"message":{"content":"');
      pump();
    };
    const model = new OpenAICompatibleProvider({ baseUrl: `http://${origin}/v1`, model: 'm', maxResponseBytes: 256 * 1024 });
    const error = await model.complete(ask).catch((caught: unknown) => caught);
    expect(ModelResponseTooLargeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ limitBytes: 256 * 1024, retryable: false, code: 'MODEL_RESPONSE_TOO_LARGE' });
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a declared content-length above the cap without reading the body', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      response.write('{');
    };
    const model = new OpenAICompatibleProvider({ baseUrl: `http://${origin}/v1`, model: 'm' });
    await expect(model.complete(ask)).rejects.toMatchObject({ code: 'MODEL_RESPONSE_TOO_LARGE', limitBytes: DEFAULT_MAX_RESPONSE_BYTES });
  });

  it('rejects a maxResponseBytes that is not a positive integer', () => {
    expect(() => new OpenAICompatibleProvider({ baseUrl: `http://${origin}/v1`, model: 'm', maxResponseBytes: 0 })).toThrow(/maxResponseBytes/);
  });

  it('names the endpoint without userinfo or query in configuration errors', () => {
    const error = (() => {
      try {
        createModelProvider({ env: { OPENAI_BASE_URL: 'http://relay:hunter2-password@127.0.0.1:1/v1?access_token=opaque-token' } });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect((error as Error).message).toMatch(/OPENAI_MODEL is not set/);
    expect((error as Error).message).toContain('http://127.0.0.1:1/v1');
    expect((error as Error).message).not.toMatch(/hunter2|relay|access_token|opaque-token/);
  });
});

describe('OpenAICompatibleProvider against malformed answers', () => {
  const answering = (status: number, body: string) =>
    new OpenAICompatibleProvider({ baseUrl: 'http://model.invalid/v1', apiKey, model: 'asked-model', fetch: async () => new Response(body, { status }) });

  it('fails with ModelRequestError when error.message is not a string', async () => {
    for (const body of ['{"error":{"message":{"a":1}}}', '{"error":{"message":42}}']) {
      const error = await answering(500, body).complete(ask).catch((caught: unknown) => caught);
      expect(ModelRequestError.isInstance(error), body).toBe(true);
      expect((error as Error).message).toContain('HTTP 500');
    }
  });

  it('keeps only whole-number token counts and a string model name from the answer', async () => {
    for (const usage of ['{"prompt_tokens":"abc","completion_tokens":-5}', '{"prompt_tokens":1e308,"completion_tokens":0.5}']) {
      const answer = await answering(200, `{"model":{"x":1},"choices":[{"message":{"content":"hi"}}],"usage":${usage}}`).complete(ask);
      expect(Number.isSafeInteger(answer.usage.inputTokens) && answer.usage.inputTokens >= 0).toBe(true);
      expect(Number.isSafeInteger(answer.usage.outputTokens) && answer.usage.outputTokens >= 0).toBe(true);
      expect(Number.isFinite(answer.costUsd)).toBe(true);
      expect(answer.model).toBe('asked-model');
    }
  });

  it('hides a whole echoed key whose tail is the configured key, not only the tail', async () => {
    const other = `sk-live-OtherPrefix${apiKey.slice('sk-live-'.length)}`;
    const error = await answering(500, `gateway saw ${other}`).complete(ask).catch((caught: unknown) => caught);
    expect((error as Error).message).not.toContain('OtherPrefix');
  });
});

