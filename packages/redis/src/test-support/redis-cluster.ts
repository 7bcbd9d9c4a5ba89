// Starts a real Redis Cluster for integration tests: three masters (no replicas) on free loopback
// ports, joined with `redis-cli --cluster create`, and waits until every node reports
// `cluster_state:ok`. Not part of the published build.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { redisServerBinary, startRedisServer, type RedisServerHandle } from './redis-server.js';

const run = promisify(execFile);

/** Path of redis-cli: `TTA_REDIS_CLI`, else beside redis-server. */
export const redisCliBinary = process.env.TTA_REDIS_CLI ?? join(dirname(redisServerBinary), 'redis-cli');

/** A running test cluster. */
export interface RedisClusterHandle {
  /** The master nodes, in the order of their slot ranges (node 0 serves slots 0-5460). */
  readonly nodes: readonly RedisServerHandle[];
  /** `redis://127.0.0.1:<port>` of every node: the `cluster` connection option. */
  readonly urls: readonly string[];
  /** The node serving `key`'s slot now. */
  nodeFor(key: string): Promise<RedisServerHandle>;
  /** Resolves once every running node reports `cluster_state:ok` and knows every running peer as connected. */
  waitUntilHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their directories. */
  dispose(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** `cluster-node-timeout` of every node. @default 1_000 */
  readonly nodeTimeoutMs?: number;
}

/** Starts three cluster-enabled redis-servers and joins them into one cluster of three masters. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  if (!existsSync(redisCliBinary)) throw new Error(`redis-cli not found at ${redisCliBinary} (needed to create a test cluster)`);
  const nodes: RedisServerHandle[] = [];
  try {
    for (let index = 0; index < 3; index++) nodes.push(await startRedisServer({ clusterNode: true, clusterNodeTimeoutMs: options.nodeTimeoutMs ?? 1_000 }));
    await run(redisCliBinary, ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 });
  } catch (error) {
    await Promise.all(nodes.map((node) => node.dispose()));
    throw error;
  }
  const handle: RedisClusterHandle = {
    nodes,
    urls: nodes.map((node) => node.url),
    async nodeFor(key) {
      const probe = new Redis({ port: nodes.find((node) => node.running)?.port ?? nodes[0]!.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', key));
        const ranges = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to);
        const node = nodes.find((candidate) => candidate.port === owner?.[2][1]);
        if (node === undefined) throw new Error(`no node serves slot ${slot} of "${key}"`);
        return node;
      } finally {
        probe.disconnect();
      }
    },
    async waitUntilHealthy(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const problem = await healthProblem(nodes);
        if (problem === undefined) return;
        if (Date.now() > deadline) throw new Error(`the test cluster did not become healthy within ${timeoutMs} ms: ${problem}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async dispose() {
      await Promise.all(nodes.map((node) => node.dispose()));
    },
  };
  try {
    await handle.waitUntilHealthy();
  } catch (error) {
    await handle.dispose();
    throw error;
  }
  return handle;
}

/** What keeps the running nodes from being one healthy cluster, or undefined when nothing does. */
async function healthProblem(nodes: readonly RedisServerHandle[]): Promise<string | undefined> {
  const running = nodes.filter((node) => node.running);
  for (const node of running) {
    const client = new Redis({ port: node.port, lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, commandTimeout: 500 });
    client.on('error', () => {});
    try {
      const info = String(await client.call('CLUSTER', 'INFO'));
      if (!info.includes('cluster_state:ok')) return `node ${node.port}: ${info.match(/cluster_state:\w+/)?.[0] ?? 'no state'}`;
      const view = String(await client.call('CLUSTER', 'NODES'));
      for (const peer of running) {
        const line = view.split('\n').find((entry) => entry.includes(`127.0.0.1:${peer.port}@`));
        if (line === undefined || /\b(fail\??|handshake|noaddr)\b/.test(line) || !line.includes('connected')) return `node ${node.port} sees ${peer.port} as: ${line ?? 'unknown'}`;
      }
    } catch (error) {
      return `node ${node.port}: ${(error as Error).message}`;
    } finally {
      client.disconnect();
    }
  }
  return undefined;
}
