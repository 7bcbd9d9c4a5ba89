// A loopback HTTP server that records every request it gets (decoded body included) and answers
// with a fixed or computed response: the collector, the upstream API or the scrape target of a test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One request the server received. */
export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The body, decompressed when it was gzip or deflate encoded, as latin1 text (bytes kept one to one). */
  readonly body: string;
}

/** A running capture server. */
export interface CaptureServer {
  readonly url: string;
  readonly port: number;
  readonly requests: readonly CapturedRequest[];
  close(): Promise<void>;
}

/** What the server answers (default: 200 with `{}`). */
export type Responder = (request: CapturedRequest, response: ServerResponse) => void;

/** Starts a capture server on 127.0.0.1 and a free port. */
export async function startCaptureServer(respond?: Responder): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let raw = Buffer.concat(chunks);
      const encoding = request.headers['content-encoding'];
      if (encoding === 'gzip') raw = gunzipSync(raw);
      else if (encoding === 'deflate') raw = inflateSync(raw);
      const captured: CapturedRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body: raw.toString('latin1') };
      requests.push(captured);
      if (respond !== undefined) respond(captured, response);
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
