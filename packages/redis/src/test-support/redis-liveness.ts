// The SCRIPT KILL-free liveness check of the Redis suites: a server that a test left wedged (a
// script that never ends, a pause never lifted) fails the test that did it, not the next one.
// Not part of the published build.
import { connect } from 'node:net';

/** Options of {@link assertRedisAnswersPing}. */
export interface RedisLivenessOptions {
  /** Host of the server. @default '127.0.0.1' */
  readonly host?: string;
  /** Longest time from connecting to `+PONG`, per probe. @default 100 */
  readonly withinMs?: number;
  /**
   * Probes made one after the other before giving up; the first `+PONG` in time passes. On a
   * loaded machine a live server can miss one 100 ms window while it waits for a CPU; a wedged
   * one (a script that never ends, a pause never lifted) misses them all.
   * @default 3
   */
  readonly probes?: number;
}

/**
 * Resolves with the time (ms) of the first of up to `probes` PINGs that the server at `port`
 * answered within `withinMs`, or rejects with the last probe's problem when none did.
 *
 * @example
 * ```ts fragment
 * afterEach(() => assertRedisLive(server.port));
 * ```
 */
export async function assertRedisLive(port: number, options: RedisLivenessOptions = {}): Promise<number> {
  const probes = options.probes ?? 3;
  for (let probe = 1; ; probe++) {
    try {
      return await assertRedisAnswersPing(port, options);
    } catch (error) {
      if (probe >= probes) throw error;
    }
  }
}

/**
 * One probe: resolves with the time (ms) the server at `port` took to answer `PING` on a new connection, or
 * rejects when it does not answer `+PONG` within `withinMs` (a `-BUSY` or `-LOADING` reply, a
 * closed or refused connection, or silence). A new connection, not a shared client: a client's
 * queued commands or reconnect backoff would hide or delay what the server itself does.
 */
export function assertRedisAnswersPing(port: number, options: RedisLivenessOptions = {}): Promise<number> {
  const host = options.host ?? '127.0.0.1';
  const withinMs = options.withinMs ?? 100;
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let reply = '';
    let settled = false;
    const timer = setTimeout(() => finish(`no reply within ${withinMs} ms`), withinMs);
    function finish(problem: string | undefined): void {
      // Destroying the socket emits 'close' after the reply: only the first outcome counts.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const elapsedMs = performance.now() - startedAt;
      if (problem === undefined) resolve(elapsedMs);
      else reject(new Error(`redis-server on ${host}:${port} is not live: ${problem} (after ${elapsedMs.toFixed(1)} ms)`));
    }
    socket.once('error', (error) => finish(error.message));
    socket.once('close', () => finish('the connection closed'));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (!reply.includes('\r\n')) return;
      const line = reply.slice(0, reply.indexOf('\r\n'));
      finish(line === '+PONG' ? undefined : `PING answered ${JSON.stringify(line)}`);
    });
  });
}
