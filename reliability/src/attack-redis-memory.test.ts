// RedisAgentMemory against a real redis-server, attacked the way shared Redis is in production:
// processes racing clear() against store(), the state such a race used to leave behind, and entries
// Redis's own JSON decoder cannot read. After every test the server must answer PING within 100 ms
// (a script that never ends answers every client BUSY, and SCRIPT KILL cannot stop one that wrote).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '@tta/primitives';
import { createRedisConnection, RedisAgentMemory } from '@tta/redis';
import { record } from './figures.js';
import { redisChecksRun, startRedis, type RedisServer } from './support/redis-server.js';

// ioredis is not a dependency of this package: name the client type through the toolkit.
type Redis = ReturnType<typeof createRedisConnection>;

const racerScript = fileURLToPath(new URL('./support/memory-racer.mjs', import.meta.url));
const redisPackage = fileURLToPath(new URL('../../packages/redis/', import.meta.url));

/** The racers run the built package: refuse to test an old build instead of the sources. */
function assertBuiltAfterSources(): void {
  const builtAt = statSync(`${redisPackage}dist/redis-agent-memory.js`).mtimeMs;
  for (const source of ['redis-agent-memory.ts', 'redis-agent-memory-scripts.ts']) {
    if (statSync(`${redisPackage}src/${source}`).mtimeMs > builtAt) {
      throw new Error(`packages/redis/dist is older than src/${source}: run \`pnpm --filter @tta/redis... build\` first`);
    }
  }
}

interface RacerReport {
  readonly done: number;
  readonly errors: readonly string[];
}

/** Runs one racer process to its end (killed after 60 s, so the test is bounded). */
function race(config: Record<string, unknown>): Promise<RacerReport> {
  const child = spawn(process.execPath, [racerScript, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let report: RacerReport | undefined;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => (report = JSON.parse(line) as RacerReport));
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      if (report === undefined) reject(new Error(`racer ${String(config['name'])} ended (${code ?? signal}) without a report: ${stderr}`));
      else resolve(report);
    });
  });
}

describe.skipIf(!redisChecksRun())('RedisAgentMemory under attack on a real redis-server', () => {
  let server: RedisServer;
  let client: Redis;
  // Its own connection: a script that never ends holds the connection that ran it, so the liveness
  // check and the SHUTDOWN NOSAVE that frees a wedged server must come from another one.
  let probe: Redis;
  let prefixCounter = 0;
  const nextPrefix = (): string => `attack-memory-${++prefixCounter}:`;

  beforeEach(async () => {
    server = await startRedis();
    client = createRedisConnection({ port: server.port, commandTimeoutMs: 1_000 });
    probe = createRedisConnection({ port: server.port, commandTimeoutMs: 1_000 });
    await probe.ping();
  });

  afterEach(async () => {
    const started = performance.now();
    const answer = await probe.ping().catch((error: unknown) => String(error));
    const pingMs = performance.now() - started;
    // A wedged server only stops for SHUTDOWN NOSAVE; ask for it before stopping the process.
    if (answer !== 'PONG') await probe.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    probe.disconnect();
    client.disconnect();
    await server.stop();
    expect(answer).toBe('PONG');
    expect(pingMs).toBeLessThan(100);
  });

  it('stays consistent and responsive while separate processes race clear() against store()', async () => {
    assertBuiltAfterSources();
    const prefix = nextPrefix();
    const maxEntries = 10;
    const common = { port: server.port, prefix, maxEntries, tagsPerEntry: 300 };
    const started = performance.now();
    const reports = await Promise.all([
      race({ ...common, role: 'clear', name: 'clearer', rounds: 30, pauseMs: 100 }),
      race({ ...common, role: 'store', name: 'left', rounds: 300 }),
      race({ ...common, role: 'store', name: 'right', rounds: 300 }),
    ]);
    record('memoryClearStoreRaceMs', Math.round(performance.now() - started));
    expect(reports.flatMap((report) => report.errors)).toEqual([]);
    expect(reports.map((report) => report.done)).toEqual([30, 300, 300]);

    const memory = new RedisAgentMemory({ connection: client, prefix, maxEntries });
    const listed = (await memory.query()).map((entry) => entry.id);
    expect(await memory.size()).toBe(listed.length);
    expect(listed.length).toBeLessThanOrEqual(maxEntries);
    // Every entry that can be read is one size() and query() count: none lives outside the order.
    for (const name of ['left', 'right']) {
      for (let round = 0; round < 300; round++) {
        const id = `${name}-${round}`;
        expect(listed.includes(id), id).toBe((await memory.retrieve(id)) !== undefined);
      }
    }
    // Evicting after the race ends and leaves exactly the newest entries.
    for (let index = 0; index < maxEntries + 5; index++) await memory.store({ id: `after-${index}`, agentId: 'after', content: index });
    expect((await memory.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(Array.from({ length: maxEntries }, (_, index) => `after-${index + 5}`));
  });

  it('evicts past ids in the order that have no entry instead of spinning (the state an unsafe clear left)', async () => {
    const prefix = nextPrefix();
    const memory = new RedisAgentMemory({ connection: client, prefix, maxEntries: 3 });
    // Written the way a clear racing a store left it: ids ordered for eviction, their entries gone.
    await client.zadd(`${prefix}memory:{default}:order`, 0, 'ghost-1', 1, 'ghost-2');
    // size() counts the order: if the key layout moves, this fails instead of testing nothing.
    expect(await memory.size()).toBe(2);
    const started = performance.now();
    for (let index = 0; index < 5; index++) await memory.store({ id: `real-${index}`, agentId: 'a', content: index });
    record('memoryEvictGhostsMs', Math.round(performance.now() - started));
    expect((await memory.query({ order: 'oldest' })).map((entry) => entry.id)).toEqual(['real-2', 'real-3', 'real-4']);
    expect(await memory.size()).toBe(3);
  });

  it('deletes and evicts entries that Redis cjson cannot decode, and refuses tags it could not index', async () => {
    const prefix = nextPrefix();
    const memory = new RedisAgentMemory({ connection: client, prefix, maxEntries: 3 });
    let deep: unknown = 'bottom';
    for (let level = 0; level < 1_500; level++) deep = { next: deep };
    const emoji = '🙂';
    await memory.store({ id: 'cut', agentId: 'a', content: `cut mid-emoji ${emoji.slice(0, 1)}`, tags: ['t'] });
    await memory.store({ id: 'deep', agentId: 'a', content: deep, tags: ['t'] });
    expect(await memory.delete('cut')).toBe(true);
    expect(await memory.delete('cut')).toBe(false);
    await expect(memory.store({ agentId: 'a', content: 1, tags: [null as never] })).rejects.toSatisfy(InvalidInputError.isInstance);
    for (let index = 0; index < 4; index++) await memory.store({ id: `m${index}`, agentId: 'a', content: index, tags: ['t'] });
    // The bound holds: the undecodable entry was evicted like any other, and nothing else was written.
    expect(await memory.size()).toBe(3);
    expect(await memory.retrieve('deep')).toBeUndefined();
    expect((await memory.query({ tags: ['t'], order: 'oldest' })).map((entry) => entry.id)).toEqual(['m1', 'm2', 'm3']);
    expect(await memory.delete('m1')).toBe(true);
  });

  it('clears thousands of entries and index keys in one bounded step', async () => {
    const prefix = nextPrefix();
    const memory = new RedisAgentMemory({ connection: client, prefix, maxEntries: 5_000 });
    const pipeline = [];
    for (let index = 0; index < 5_000; index++) pipeline.push(memory.store({ id: `e${index}`, agentId: `agent-${index % 50}`, content: index, tags: [`tag-${index}`, `group-${index % 10}`] }));
    await Promise.all(pipeline);
    const started = performance.now();
    await memory.clear();
    const clearMs = performance.now() - started;
    record('memoryClear5000EntriesMs', Math.round(clearMs));
    expect(await memory.size()).toBe(0);
    let cursor = '0';
    const left: string[] = [];
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      left.push(...keys);
    } while (cursor !== '0');
    expect(left).toEqual([]);
    expect(clearMs).toBeLessThan(1_000);
  });
});
