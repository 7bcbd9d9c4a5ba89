// Starts a real redis-server for integration tests: free loopback port, temporary directory,
// stopped (and the directory removed) after the tests. Not part of the published build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Path of the redis-server binary: `TTA_REDIS_SERVER` or the Debian location. */
export const redisServerBinary = process.env.TTA_REDIS_SERVER ?? '/usr/bin/redis-server';

/** True when tests must fail (instead of skip) without a redis-server binary. */
export const servicesRequired = process.env.TTA_REQUIRE_SERVICES === '1';

/**
 * True when the binary exists. When it does not, prints a loud notice once; callers skip their
 * suites, unless `TTA_REQUIRE_SERVICES=1`, where they must fail (see {@link startRedisServer}).
 */
export function redisServerAvailable(): boolean {
  const available = existsSync(redisServerBinary);
  if (!available && !warned) {
    warned = true;
    const banner = '!'.repeat(78);
    console.warn(
      servicesRequired
        ? `\n${banner}\n@tta/redis: ${redisServerBinary} not found and TTA_REQUIRE_SERVICES=1: the Redis suites FAIL.\n${banner}\n`
        : `\n${banner}\n@tta/redis: SKIPPING Redis integration tests: ${redisServerBinary} not found.\n` +
            `Install redis-server (apt-get install redis-server) or set TTA_REDIS_SERVER.\n` +
            `Set TTA_REQUIRE_SERVICES=1 to make this a failure.\n${banner}\n`,
    );
  }
  return available;
}
let warned = false;

/** Whether to run Redis suites: skip when the binary is missing, unless services are required. */
export const runRedisSuites = redisServerAvailable() || servicesRequired;

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /** Turns on the append-only file. @default false */
  readonly appendonly?: boolean;
  /** fsync policy of the append-only file. @default 'everysec' */
  readonly appendfsync?: 'always' | 'everysec' | 'no';
  /** Allows `DEBUG` (e.g. `DEBUG SLEEP`) from loopback clients; Redis 7 refuses it by default. @default false */
  readonly enableDebugCommand?: boolean;
  /**
   * Starts the server as a Redis Cluster node (`cluster-enabled`, its `nodes.conf` in the data
   * directory, so a restart rejoins as the same node), serving its slots even while another
   * master is down (`cluster-require-full-coverage no`). See `startRedisCluster`.
   * @default false
   */
  readonly clusterNode?: boolean;
  /** `cluster-node-timeout`: how long a silent node takes to be marked failed. @default 1_000 */
  readonly clusterNodeTimeoutMs?: number;
}

/** A running test server. */
export interface RedisServerHandle {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Data directory (AOF lives here). */
  readonly dir: string;
  /** True while the process runs. */
  readonly running: boolean;
  /** Kills the server abruptly (SIGKILL): a crash, nothing flushed beyond what fsync wrote. */
  crash(): Promise<void>;
  /** Stops the server (SIGTERM). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (after `crash` or `stop`). */
  restart(): Promise<void>;
  /** Stops the process without ending it (SIGSTOP): it holds its connections and answers nothing. */
  freeze(): void;
  /** Lets a frozen process run again (SIGCONT). */
  thaw(): void;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

/**
 * Starts redis-server on a free 127.0.0.1 port in a new temporary directory and waits until it
 * answers PING. Throws when the binary is missing (check {@link runRedisSuites} first).
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  if (!existsSync(redisServerBinary)) {
    throw new Error(`redis-server not found at ${redisServerBinary} and TTA_REQUIRE_SERVICES=1`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'tta-redis-'));
  const args = (port: number): string[] => [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', options.appendonly === true ? 'yes' : 'no',
    '--appendfsync', options.appendfsync ?? 'everysec',
    '--dir', dir,
    '--protected-mode', 'yes',
    '--loglevel', 'warning',
    ...(options.enableDebugCommand === true ? ['--enable-debug-command', 'local'] : []),
    ...(options.clusterNode === true
      ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-require-full-coverage', 'no', '--cluster-node-timeout', String(options.clusterNodeTimeoutMs ?? 1_000)]
      : []),
  ];
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      child = await launch(args(port), port);
      break;
    } catch (error) {
      // Another process may have taken the port between probe and bind: try a new one.
      if (attempt >= 5) throw error;
    }
  }
  let current: ChildProcess | undefined = child;
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = current;
    current = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get running() {
      return current !== undefined;
    },
    crash: () => halt('SIGKILL'),
    freeze: () => void current?.kill('SIGSTOP'),
    thaw: () => void current?.kill('SIGCONT'),
    stop: () => halt('SIGTERM'),
    async restart() {
      await halt('SIGTERM');
      current = await launch(args(port), port);
    },
    async dispose() {
      current?.kill('SIGCONT');
      await halt('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function launch(args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(redisServerBinary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode ?? child.signalCode} on port ${port}: ${stderr}`);
    }
    if (await ping(port)) {
      // Loading a large AOF answers PING with -LOADING; `ping` only accepts +PONG.
      return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s: ${stderr}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
