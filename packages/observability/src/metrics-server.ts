import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describeValue } from '@tta/primitives/instrumentation';
import { redactText } from '@tta/primitives/logging';
import { MetricsServerError } from './metrics-server-error.js';

/** The redacted text of a collection failure; never throws. */
function collectionErrorText(error: unknown): string {
  try {
    return redactText(error instanceof Error ? error.message : describeValue(error));
  } catch {
    return 'an error that cannot be described';
  }
}

/** Anything that renders the Prometheus exposition: a prom-client `Registry` fits. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** A running `/metrics` server. */
export interface MetricsServer {
  /** The address it is bound to (with the real port when `0` was asked). */
  readonly host: string;
  readonly port: number;
  /** `http://host:port/metrics`. */
  readonly url: string;
  /** Stops listening and closes open connections; never rejects. */
  close(): Promise<void>;
}

/**
 * Serves `source` on `GET /metrics` with `node:http`. Resolves once listening; rejects with a
 * {@link MetricsServerError} when the port is in use or the host cannot be bound.
 */
export function startMetricsServer(source: MetricsSource, host: string, port: number): Promise<MetricsServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/metrics' ? 'Method Not Allowed\n' : 'Not Found\n');
      return;
    }
    source.metrics().then(
      (body) => {
        response.writeHead(200, { 'content-type': source.contentType });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        // The scraper sees this text: credentials a collector quotes (a connection URL, a key) are
        // redacted, and a value String() cannot print must not throw here (an unhandled rejection).
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics collection failed: ${collectionErrorText(error)}\n`);
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise<MetricsServer>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.close();
      reject(new MetricsServerError(host, port, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      // A server error after start (rare) must not crash the application.
      server.on('error', () => {});
      const address = server.address() as AddressInfo;
      const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        host: address.address,
        port: address.port,
        url: `http://${urlHost}:${address.port}/metrics`,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
