import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { ModelResponseError, openAICompatible, parseRetryAfter } from '@tta/models';

const hello = { messages: [{ role: 'user' as const, content: 'Hello' }] };
const secret = 'sk-live-attack0123456789abcdefXYZ';

/** A fetch answering one fixed response, so a test controls the bytes the provider reads. */
function answering(response: () => Response): typeof fetch {
  return async () => response();
}

/** A response whose body arrives in exactly these chunks. */
function chunked(chunks: readonly string[], headers: Record<string, string> = { 'content-type': 'text/event-stream' }): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}

async function collect(parts: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const part of parts) seen.push(part);
  return seen;
}

describe('openAICompatible under attack', () => {
  it('keeps a credential out of the cause chain of an unreachable-server error, not only its message', async () => {
    const failingFetch: typeof fetch = async (url) => {
      throw new TypeError(`request to ${String(url)} failed`, { cause: new Error(`connect ECONNREFUSED (token ${secret})`) });
    };
    const provider = openAICompatible({ baseUrl: `https://gateway.example/v1?api-key=${secret}`, apiKey: secret, model: 'm', fetch: failingFetch });
    const error = (await provider.generate(hello, {}).catch((caught: unknown) => caught)) as Error;
    expect(error.message).not.toContain(secret);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(secret);
    expect(inspect(error, { depth: 10 })).toContain('ECONNREFUSED');
  });

  it('reads one multi-line event whose CRLF line end is split between two chunks', async () => {
    const provider = openAICompatible({
      baseUrl: 'https://gateway.example/v1',
      model: 'm',
      fetch: answering(() => chunked(['data: {"choices":[{"delta":{"content":"Hi"}}],\r', '\ndata: "model":"m"}\r\n\r\n', 'data: [DONE]\r\n\r\n'])),
    });
    const parts = await collect(provider.stream!(hello, {}));
    expect(parts[0]).toEqual({ type: 'text', text: 'Hi' });
  });

  it('refuses a 200 stream that is not server-sent events (an HTML error page) instead of answering nothing', async () => {
    const provider = openAICompatible({
      baseUrl: 'https://gateway.example/v1',
      model: 'm',
      fetch: answering(() => chunked(['<html><body>Bad gateway</body></html>'], { 'content-type': 'text/html' })),
    });
    const error = await collect(provider.stream!(hello, {})).catch((caught: unknown) => caught);
    expect(ModelResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('text/html');
  });

  it('bounds a stream event that never ends by maxResponseBytes', async () => {
    const provider = openAICompatible({
      baseUrl: 'https://gateway.example/v1',
      model: 'm',
      maxResponseBytes: 1024,
      fetch: answering(() => chunked(Array.from({ length: 64 }, () => 'x'.repeat(100)))),
    });
    const error = await collect(provider.stream!(hello, {})).catch((caught: unknown) => caught);
    expect(ModelResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('maxResponseBytes');
  });

  it('reads only what Retry-After allows (whole seconds or an HTTP date): garbage is no wait, not an immediate retry', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const read = (value: string) => parseRetryAfter(new Headers({ 'retry-after': value }), now);
    expect(read('1 2')).toBeUndefined();
    expect(read('0x10')).toBeUndefined();
    expect(read('-3')).toBeUndefined();
    expect(read('Infinity')).toBeUndefined();
    expect(read('99999999999999999999')).toBe(60_000);
    expect(read(' 7 ')).toBe(7_000);
    expect(read('1.5')).toBe(1_500);
    expect(read('Thursday, 01-Jan-26 00:00:09 GMT')).toBe(9_000);
    expect(read('Thu Jan  1 00:00:04 2026')).toBeDefined();
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '0x20', 'retry-after': '2' }), now)).toBe(2_000);
  });

  it('refuses, when made, options that would only fail at the first call as a retryable network error', () => {
    const base = { baseUrl: 'https://gateway.example/v1', model: 'm' };
    const refused = (options: unknown, pattern: RegExp) => {
      let caught: unknown;
      try {
        openAICompatible(options as never);
      } catch (error) {
        caught = error;
      }
      expect(InvalidOptionsError.isInstance(caught)).toBe(true);
      expect((caught as Error).message).toMatch(pattern);
      expect((caught as Error).message).not.toContain(secret);
    };
    refused({ ...base, apikey: secret }, /"apikey" is not an option/);
    refused({ ...base, headers: ['x'] }, /headers/);
    refused({ ...base, headers: { 'bad name': 'x' } }, /headers\.bad name/);
    refused({ ...base, headers: { 'x-token': `${secret}\r\nx-evil: 1` } }, /headers\.x-token/);
    refused({ ...base, apiKey: `${secret}\n` }, /apiKey/);
    refused(secret, /options/);
  });

  it('scrubs the credential alone when a server echoes it without its scheme: a Basic pair from the URL, a Bearer header', async () => {
    const echo = (text: string): typeof fetch => async () => new Response(JSON.stringify({ error: { message: text } }), { status: 400 });
    const pair = btoa('user:pa55word-very-secret');
    const fromUrl = openAICompatible({ baseUrl: 'https://user:pa55word-very-secret@gateway.example/v1', model: 'm', fetch: echo(`credentials ${pair} refused`) });
    const urlError = (await fromUrl.generate(hello, {}).catch((caught: unknown) => caught)) as Error;
    expect(urlError.message).not.toContain(pair);
    const fromHeader = openAICompatible({ baseUrl: 'https://gateway.example/v1', model: 'm', headers: { authorization: 'Bearer tok123456789abcdefXYZ' }, fetch: echo('credential "tok123456789abcdefXYZ" refused') });
    const headerError = (await fromHeader.generate(hello, {}).catch((caught: unknown) => caught)) as Error;
    expect(headerError.message).not.toContain('tok123456789abcdefXYZ');
    expect(headerError.message).toContain('refused');
  });
});
