import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The API key the fake upstream expects in `x-api-key`. */
export const FAKE_UPSTREAM_API_KEY = 'sample-upstream-key-0123456789';

const users: Record<string, { id: number; name: string; username: string }> = {
  '1': { id: 1, name: 'Ada Lovelace', username: 'Ada' },
  '2': { id: 2, name: 'Alan Turing', username: 'Alan' },
};

/** A running fake of the upstream users API, on a free loopback port. */
export interface FakeUpstream {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a small users API on 127.0.0.1 (free port), standing in for a real third-party service. */
export async function startFakeUpstream(apiKey: string = FAKE_UPSTREAM_API_KEY): Promise<FakeUpstream> {
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.setHeader('x-request-id', `req-${Math.random().toString(16).slice(2)}`);
    if (request.headers['x-api-key'] !== apiKey) {
      response.statusCode = 401;
      response.end(JSON.stringify({ error: 'invalid api key' }));
      return;
    }
    const match = /^\/users\/(\w+)$/.exec(request.url ?? '');
    const user = match === null ? undefined : users[match[1]!];
    if (user === undefined) {
      response.statusCode = 404;
      response.end(JSON.stringify({ error: 'not found' }));
      return;
    }
    response.end(JSON.stringify(user));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
