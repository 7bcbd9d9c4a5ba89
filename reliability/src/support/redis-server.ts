// A throw-away redis-server on a free loopback port, for the exposure checks. Without the binary the
// callers skip loudly, unless TTA_REQUIRE_SERVICES=1 makes that a failure.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createRedisConnection } from '@tta/redis';

/** Path of the redis-server binary (`TTA_REDIS_SERVER` overrides it). */
export const redisServerBinary = process.env['TTA_REDIS_SERVER'] ?? '/usr/bin/redis-server';

/** True when Redis checks must run: the binary exists, or services are required (then they fail without it). */
export function redisChecksRun(): boolean {
  if (existsSync(redisServerBinary)) return true;
  const required = process.env['TTA_REQUIRE_SERVICES'] === '1';
  const banner = '!'.repeat(78);
  console.warn(
    required
      ? `\n${banner}\nreliability: ${redisServerBinary} not found and TTA_REQUIRE_SERVICES=1: the Redis exposure checks FAIL.\n${banner}\n`
      : `\n${banner}\nreliability: SKIPPING the Redis exposure checks: ${redisServerBinary} not found.\nSet TTA_REQUIRE_SERVICES=1 to make this a failure.\n${banner}\n`,
  );
  return required;
}

/** A running server. */
export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts redis-server bound to 127.0.0.1 with no persistence, and waits until it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(redisServerBinary)) throw new Error(`redis-server not found at ${redisServerBinary}`);
  const dir = mkdtempSync(join(tmpdir(), 'tta-reliability-redis-'));
  const port = await freePort();
  const child = spawn(redisServerBinary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = createRedisConnection({ port, host: '127.0.0.1' });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await client.ping()) === 'PONG') break;
      } catch (error) {
        if (attempt > 100) throw new Error(`redis-server on port ${port} did not answer`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.disconnect();
  }
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A suite's server and an admin client on it, set before its tests run. */
export interface RedisSuite {
  readonly server: RedisServer;
  readonly admin: ReturnType<typeof createRedisConnection>;
}

/**
 * Starts one redis-server and an admin client for the calling `describe` block, and stops both after it:
 * one server per suite, as the attack files need.
 */
export function useRedisServer(): RedisSuite {
  let server: RedisServer | undefined;
  let admin: ReturnType<typeof createRedisConnection> | undefined;
  beforeAll(async () => {
    server = await startRedis();
    admin = createRedisConnection({ port: server.port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the Redis suite has not started');
      return server;
    },
    get admin() {
      if (admin === undefined) throw new Error('the Redis suite has not started');
      return admin;
    },
  };
}
