import { describe, expect, it } from 'vitest';
import { createRedisConnection } from '../connection.js';
import { assertRedisAnswersPing, assertRedisLive } from './redis-liveness.js';
import { runRedisSuites } from './redis-server.js';
import { useRedisServer } from './use-redis.js';

describe.skipIf(!runRedisSuites)('Redis liveness check', () => {
  const redis = useRedisServer();

  it('resolves with the reply time of a live server', async () => {
    expect(await assertRedisLive(redis.server.port)).toBeLessThan(100);
  });

  it('rejects while the server answers no client, and resolves once it does again', async () => {
    const pauser = createRedisConnection({ port: redis.server.port });
    try {
      await pauser.call('CLIENT', 'PAUSE', '1000', 'ALL');
      await expect(assertRedisAnswersPing(redis.server.port)).rejects.toThrow(/not live: no reply within 100 ms/);
      await expect(assertRedisLive(redis.server.port, { probes: 3 })).rejects.toThrow(/not live: no reply within 100 ms/);
      // The pauser's own next command waits for the pause to end.
      await pauser.ping();
      expect(await assertRedisLive(redis.server.port)).toBeLessThan(100);
    } finally {
      pauser.disconnect();
    }
  });

  it('rejects a server that answers PING with an error', async () => {
    const pauser = createRedisConnection({ port: redis.server.port });
    try {
      // A script that runs past busy-reply-threshold makes every other client get -BUSY.
      await pauser.call('CONFIG', 'SET', 'busy-reply-threshold', '50');
      const busy = pauser.eval("local t = redis.call('TIME') local stop = t[1] * 1000000 + t[2] + 1000000 repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop return 1", 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(assertRedisAnswersPing(redis.server.port)).rejects.toThrow(/PING answered "-BUSY/);
      await busy;
    } finally {
      await pauser.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
      pauser.disconnect();
    }
  });

  it('rejects when nothing listens on the port', async () => {
    const server = redis.server;
    await server.stop();
    try {
      await expect(assertRedisAnswersPing(server.port)).rejects.toThrow(/not live: .*ECONNREFUSED/);
    } finally {
      await server.restart();
    }
  });
});
