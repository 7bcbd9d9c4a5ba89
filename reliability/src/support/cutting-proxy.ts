// A TCP proxy between a client and Redis that can drop its connections mid-call: commands still
// reach the server while replies are held, then every socket is cut. The client sees its command
// sent and no answer (a "maybe applied" failure), while the server has run it; new connections
// are accepted again at once, so the client reconnects as it would after a network blip.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy on a free 127.0.0.1 port. */
export interface CuttingProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Stops forwarding replies (server to client); commands still flow to the server. */
  holdReplies(): void;
  /** Destroys every open connection (held replies are lost) and forwards replies again. */
  cut(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy that forwards every connection to `targetPort` on 127.0.0.1. */
export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const pairs = new Set<{ readonly client: Socket; readonly upstream: Socket }>();
  let holding = false;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    // A reset from either side must not crash the test run: the peer is destroyed on 'close'.
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.pipe(upstream);
    upstream.pipe(client);
    if (holding) upstream.pause();
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', drop);
    upstream.once('close', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const cutAll = (): void => {
    for (const { client, upstream } of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    host: '127.0.0.1',
    port,
    holdReplies() {
      holding = true;
      for (const { upstream } of pairs) upstream.pause();
    },
    cut() {
      holding = false;
      cutAll();
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
