import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake server saw of one request. */
export interface FakeRequest {
  readonly body: Record<string, unknown>;
  readonly headers: IncomingMessage['headers'];
  /** Resolves when the client closed the connection before the server finished answering. */
  readonly closedEarly: Promise<void>;
}

/** How the fake answers one request. */
export type FakeHandler = (request: FakeRequest, response: ServerResponse) => void;

/** A loopback OpenAI-compatible server whose answers a test scripts, one handler per request. */
export interface FakeOpenAIServer {
  readonly baseUrl: string;
  readonly requests: FakeRequest[];
  /** Resolves once the server has received `count` requests in all (polls; for tests that abort a hanging call). */
  received(count: number): Promise<FakeRequest>;
  /** Handlers used in order; the last one repeats. */
  answer(...handlers: FakeHandler[]): void;
  close(): Promise<void>;
}

export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  let handlers: FakeHandler[] = [json(completion('hello'))];
  let index = 0;
  const requests: FakeRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // A test that sends no JSON sees an empty body.
      }
      const closedEarly = new Promise<void>((resolve) => response.on('close', () => (response.writableFinished ? undefined : resolve())));
      const request: FakeRequest = { body, headers: incoming.headers, closedEarly };
      requests.push(request);
      const handler = handlers[Math.min(index++, handlers.length - 1)] ?? json(completion('hello'));
      handler(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    async received(count: number) {
      for (let waited = 0; requests.length < count; waited += 5) {
        if (waited > 10_000) throw new Error(`the fake server received ${requests.length} requests, not ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return requests[count - 1]!;
    },
    answer(...next: FakeHandler[]) {
      handlers = next;
      index = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A chat completion body. */
export function completion(text: string, usage: { prompt_tokens: number; completion_tokens: number } = { prompt_tokens: 10, completion_tokens: 5 }, model = 'fake-model'): Record<string, unknown> {
  return { id: 'chatcmpl-1', object: 'chat.completion', model, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage };
}

/** Answers with `body` as JSON and `status`. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): FakeHandler {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

/** Never answers (the client must time out or abort). */
export const hang: FakeHandler = () => {};

/** Streams `pieces` as SSE chunks, then usage (when given) and `[DONE]`; `stallAfter` stops sending (without closing) after that many pieces. */
export function sse(pieces: readonly string[], options: { readonly usage?: { prompt_tokens: number; completion_tokens: number }; readonly stallAfter?: number; readonly delayMs?: number } = {}): FakeHandler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (data: unknown): boolean => response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    void (async () => {
      for (const [position, piece] of pieces.entries()) {
        if (options.stallAfter !== undefined && position >= options.stallAfter) return;
        if (response.destroyed) return;
        send({ model: 'fake-model', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
        if (options.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      }
      send({ model: 'fake-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      if (options.usage !== undefined) send({ model: 'fake-model', choices: [], usage: options.usage });
      send('[DONE]');
      response.end();
    })();
  };
}
