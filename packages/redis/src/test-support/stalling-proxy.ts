// A TCP proxy between a client and Redis that can stall: bytes stop flowing both ways while the
// connections stay open, as on a congested or half-dead network. Unlike CLIENT PAUSE, the server
// keeps running (keys still expire, other clients are still served). Not part of the published build.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running proxy on a free 127.0.0.1 port. */
export interface StallingProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Stops forwarding in both directions; queued bytes wait in the socket buffers. */
  stall(): void;
  /** Forwards again, including what was queued meanwhile. */
  resume(): void;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a proxy that forwards every connection to `targetPort` on 127.0.0.1. */
export async function startStallingProxy(targetPort: number): Promise<StallingProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset from either side must not crash the test run: the peer is destroyed in 'close'.
    socket.on('error', () => {});
    if (stalled) socket.pause();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    // pipe() honours pause(): a paused socket is not read, so nothing is forwarded while stalled.
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    stall() {
      stalled = true;
      for (const socket of sockets) socket.pause();
    },
    resume() {
      stalled = false;
      for (const socket of sockets) socket.resume();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
