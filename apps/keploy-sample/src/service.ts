import type { IncomingMessage, ServerResponse } from 'node:http';

/** Options of {@link createSampleHandler}. */
export interface SampleServiceOptions {
  /** Base URL of the upstream users API. */
  readonly upstreamUrl: string;
  /** Key sent to the upstream in `x-api-key` (a secret: recordings redact it). */
  readonly apiKey: string;
  /**
   * First word of the greeting.
   * @default 'Hello'
   */
  readonly greeting?: string;
}

interface UpstreamUser {
  readonly id: number;
  readonly name: string;
  readonly username: string;
}

const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
};

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
};

/**
 * The sample service: `GET /health`, `GET /users/:id` and `POST /greetings` (`{ userId }`). Both user
 * endpoints call the upstream API through `fetch`, so replaying them offline needs its recorded mocks.
 */
export function createSampleHandler(options: SampleServiceOptions): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const greeting = options.greeting ?? 'Hello';
  const fetchUser = async (id: string): Promise<UpstreamUser | undefined> => {
    const response = await fetch(`${options.upstreamUrl}/users/${encodeURIComponent(id)}`, {
      headers: { 'x-api-key': options.apiKey, accept: 'application/json' },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`upstream answered ${response.status}`);
    return (await response.json()) as UpstreamUser;
  };

  return async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (request.method === 'GET' && url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
      const userMatch = /^\/users\/(\w+)$/.exec(url.pathname);
      if (request.method === 'GET' && userMatch !== null) {
        const user = await fetchUser(userMatch[1]!);
        if (user === undefined) return sendJson(response, 404, { error: 'user not found' });
        return sendJson(response, 200, { id: user.id, name: user.name, handle: `@${user.username.toLowerCase()}` });
      }
      if (request.method === 'POST' && url.pathname === '/greetings') {
        const body = (await readJson(request)) as { userId?: unknown };
        if (typeof body.userId !== 'number' && typeof body.userId !== 'string') return sendJson(response, 400, { error: 'userId is required' });
        const user = await fetchUser(String(body.userId));
        if (user === undefined) return sendJson(response, 404, { error: 'user not found' });
        return sendJson(response, 201, { message: `${greeting}, ${user.name}!`, createdAt: new Date().toISOString() });
      }
      return sendJson(response, 404, { error: 'no such route' });
    } catch (error) {
      return sendJson(response, 502, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}
