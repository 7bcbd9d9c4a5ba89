// Vitest wiring for suites that need a real Redis: one server per test file.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisConnection, type RedisConnectionOptions } from '../connection.js';
import { scanKeys } from '../scan.js';
import { assertRedisLive } from './redis-liveness.js';
import { startRedisServer, type RedisServerHandle, type RedisServerOptions } from './redis-server.js';

/** What {@link useRedisServer} gives the tests (valid inside tests and hooks). */
export interface RedisTestEnvironment {
  readonly server: RedisServerHandle;
  /** A client on the server, closed after the file. */
  readonly client: Redis;
  /** Connection options for the server (for stores that create their own client). */
  readonly connection: RedisConnectionOptions;
  /** A prefix no other test uses, ending in ':'. */
  uniquePrefix(name?: string): string;
  /** Every key that starts with `prefix` (SCAN). */
  keysWithPrefix(prefix: string): Promise<string[]>;
}

let counter = 0;

/** Starts a redis-server before the file's tests and stops it after. */
export function useRedisServer(options: RedisServerOptions = {}): RedisTestEnvironment {
  let server: RedisServerHandle | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer(options);
    client = createRedisConnection({ port: server.port });
  });
  // Liveness without SCRIPT KILL: a test that leaves the server wedged fails itself. A server the
  // test stopped on purpose is that test's business.
  afterEach(async () => {
    if (server?.running === true) await assertRedisLive(server.port, { withinMs: 100 });
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.dispose();
  });
  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useRedisServer: the server is not started (beforeAll failed?)');
    return value;
  };
  return {
    get server() {
      return need(server);
    },
    get client() {
      return need(client);
    },
    get connection() {
      return { host: '127.0.0.1', port: need(server).port };
    },
    uniquePrefix(name = 't') {
      return `test-${name}-${process.pid}-${++counter}:`;
    },
    keysWithPrefix(prefix) {
      return scanKeys(need(client), `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
    },
  };
}
