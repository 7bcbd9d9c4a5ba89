// Attack: hostile names against the shared Redis keyspace (issue 14, item 3). Every store writes
// under names chosen to collide: a namespace that starts another (`llm` / `llm:v2`), one with a
// backslash that would escape the next SCAN glob character (`a\b` / `ab`), glob characters and
// braces, and names equal to another store's kind segment (`lease`, `memory`, `bull`, ...). Then
// each clearing call runs on one name, and every key it does not own must be left as it was, byte
// for byte (DUMP), while its own data is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RedisAgentMemory,
  RedisCacheStore,
  RedisCircuitStateStore,
  RedisHandoffQueue,
  RedisLease,
  RedisMailbox,
  RedisRateLimiter,
  RedisSharedState,
  createRedisConnection,
  createWorkflowQueue,
  enqueueWorkflow,
} from '@tta/redis';
import { record } from './figures.js';
import { redisChecksRun, startRedis, type RedisServer } from './support/redis-server.js';

// ioredis is not a dependency of this package: name the client type through the toolkit.
type Redis = ReturnType<typeof createRedisConnection>;
const runRedis = redisChecksRun();
const prefix = 'app:';
const names = ['llm', 'llm:v2', 'a\\b', 'ab', 'a*', 'a?', '[a]', 'x}y', '{z', 'lease', 'memory', 'mailbox', 'state', 'ratelimit', 'bull', 'cache', 'circuit'];
const queueNames = ['workflows', 'lease', 'bull'];

describe.skipIf(!runRedis)('attack: overlapping Redis namespaces (issue 14, item 3)', () => {
  let server: RedisServer;
  let admin: Redis;
  let client: Redis;
  const closers: (() => Promise<unknown>)[] = [];
  const caches = new Map<string, RedisCacheStore>();
  const memories = new Map<string, RedisAgentMemory>();
  const leases = new Map<string, RedisLease>();
  let state: RedisSharedState;
  let limiter: RedisRateLimiter;
  let circuits: RedisCircuitStateStore;
  let mailbox: RedisMailbox;
  let handoffs: RedisHandoffQueue;

  beforeAll(async () => {
    server = await startRedis();
    admin = createRedisConnection({ port: server.port, host: '127.0.0.1' });
    client = createRedisConnection({ port: server.port, host: '127.0.0.1' });
    const connection = client;
    for (const name of names) {
      caches.set(name, new RedisCacheStore({ connection, prefix, namespace: name }));
      memories.set(name, new RedisAgentMemory({ connection, prefix, namespace: name }));
      leases.set(name, new RedisLease({ connection, prefix, resource: name }));
    }
    state = new RedisSharedState({ connection, prefix });
    limiter = new RedisRateLimiter({ connection, prefix, tokensPerInterval: 10, intervalMs: 60_000 });
    circuits = new RedisCircuitStateStore({ connection, prefix });
    mailbox = new RedisMailbox({ connection, prefix });
    handoffs = new RedisHandoffQueue({ connection, prefix });
    closers.push(() => handoffs.close(), () => mailbox.close(), () => state.close());
  });
  afterAll(async () => {
    await Promise.allSettled(closers.map((close) => close()));
    client?.disconnect();
    admin?.disconnect();
    await server?.stop();
  });

  /** Writers of every store for every name, each labelled `<store>/<name>`. */
  const writers = (): [string, () => Promise<unknown>][] => {
    const list: [string, () => Promise<unknown>][] = [];
    for (const name of names) {
      list.push([`cache/${name}`, () => caches.get(name)!.set('k', { value: name, storedAt: 0, expiresAt: Infinity, staleUntil: Infinity })]);
      list.push([`memory/${name}`, () => memories.get(name)!.store({ id: 'm1', agentId: name, content: name, tags: [name] })]);
      list.push([`lease/${name}`, () => leases.get(name)!.tryAcquire(60_000)]);
      list.push([`state/${name}`, () => state.set({ scope: 'session', scopeId: name, key: name }, name)]);
      list.push([`ratelimit/${name}`, () => limiter.acquire(name, 1)]);
      list.push([`circuit/${name}`, () => circuits.save(name, { version: 1, state: 'closed', isolated: false, consecutiveFailures: 0, window: [], savedAtMs: 0 })]);
      list.push([`mailbox/${name}`, () => mailbox.send({ type: 'note', from: 'x', to: name, payload: name })]);
      list.push([`handoff/${name}`, () => handoffs.enqueue({ id: `task-${names.indexOf(name)}`, to: name, input: name, correlationId: 'c', data: {}, history: [], enqueuedAt: 0 })]);
    }
    for (const queueName of queueNames) {
      list.push([`bull/${queueName}`, async () => {
        const queue = createWorkflowQueue({ connection: client, prefix, queueName });
        try {
          await enqueueWorkflow(queue, 'echo', queueName, { jobId: `job-${queueName}` });
        } finally {
          await queue.close();
        }
      }]);
    }
    return list;
  };

  const allKeys = async (): Promise<string[]> => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'COUNT', 1_000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys.sort();
  };

  /** Empties the database and writes everything again; resolves to the owner of each key. */
  const populate = async (): Promise<Map<string, string>> => {
    await admin.flushall();
    const owners = new Map<string, string>();
    for (const [label, write] of writers()) {
      await write();
      for (const key of await allKeys()) if (!owners.has(key)) owners.set(key, label);
    }
    return owners;
  };

  const dumpAll = async (): Promise<Map<string, string>> => {
    const dumps = new Map<string, string>();
    for (const key of await allKeys()) {
      const dump = await admin.dumpBuffer(key);
      if (dump !== null) dumps.set(key, dump.toString('hex'));
    }
    return dumps;
  };

  /** Runs `clear` after populating; returns the keys of other owners that it changed or removed. */
  const damageBy = async (owner: string, clear: () => Promise<unknown>): Promise<string[]> => {
    const owners = await populate();
    expect([...owners.values()], `${owner} wrote nothing`).toContain(owner);
    const before = await dumpAll();
    await clear();
    const after = await dumpAll();
    const damaged: string[] = [];
    for (const [key, dump] of before) {
      if (owners.get(key) === owner) continue;
      if (after.get(key) !== dump) damaged.push(`${key} (owned by ${owners.get(key)})`);
    }
    for (const key of after.keys()) if (!before.has(key) && owners.get(key) !== owner) damaged.push(`${key} (new)`);
    return damaged;
  };

  it('keeps every key apart: no two store/name pairs write the same key', async () => {
    await admin.flushall();
    const seen = new Map<string, string>();
    const shared: string[] = [];
    for (const [label, write] of writers()) {
      const before = new Set(await allKeys());
      await write();
      for (const key of await allKeys()) {
        if (before.has(key)) continue;
        seen.set(key, label);
      }
    }
    // Write each again alone on an empty database: a key that another label also produces is shared.
    for (const [label, write] of writers()) {
      await admin.flushall();
      await write();
      for (const key of await allKeys()) if (seen.get(key) !== label) shared.push(`${key}: ${label} and ${seen.get(key)}`);
    }
    expect(shared).toEqual([]);
    record('attackRedisNamespaceKeys', seen.size);
  });

  it('writes every key in the one layout: <prefix><kind>:{<tag>}, one hash tag per call, the first brace its own', async () => {
    const kindOf: Record<string, string> = { cache: 'cache', memory: 'memory', lease: 'lease', state: 'state', ratelimit: 'ratelimit', circuit: 'circuit', mailbox: 'mailbox', handoff: 'bull', bull: 'bull' };
    const wrong: string[] = [];
    for (const [label, write] of writers()) {
      await admin.flushall();
      await write();
      const keys = await allKeys();
      const kind = kindOf[label.slice(0, label.indexOf('/'))]!;
      const tags = new Set(keys.map((key) => key.slice(key.indexOf('{'), key.indexOf('}') + 1)));
      for (const key of keys) if (!key.startsWith(`${prefix}${kind}:{`)) wrong.push(`${label}: ${key}`);
      if (tags.size !== 1) wrong.push(`${label}: ${tags.size} hash tags (${[...tags].join(' ')})`);
    }
    expect(wrong).toEqual([]);
  });

  it('reads only its own namespace: a cache or memory never sees another namespace\'s entries', async () => {
    await admin.flushall();
    await caches.get('llm')!.set('v2:k', { value: 'from llm', storedAt: 0, expiresAt: Infinity, staleUntil: Infinity });
    expect(await caches.get('llm:v2')!.get('k')).toBeUndefined();
    await caches.get('a\\b')!.set('k', { value: 'from a\\b', storedAt: 0, expiresAt: Infinity, staleUntil: Infinity });
    expect(await caches.get('ab')!.get('k')).toBeUndefined();
    await memories.get('llm')!.store({ id: 'only-llm', agentId: 'a', content: 1 });
    expect(await memories.get('llm:v2')!.size()).toBe(0);
    expect(await memories.get('llm:v2')!.retrieve('only-llm')).toBeUndefined();
  });

  it('RedisCacheStore.clear() of any namespace removes its own entries and nothing else', async () => {
    const damage: string[] = [];
    for (const name of names) {
      damage.push(...(await damageBy(`cache/${name}`, () => caches.get(name)!.clear())));
      expect(await caches.get(name)!.get('k'), name).toBeUndefined();
    }
    expect(damage).toEqual([]);
  });

  it('RedisAgentMemory.clear() of any namespace removes its own memories and nothing else', async () => {
    const damage: string[] = [];
    for (const name of names) {
      damage.push(...(await damageBy(`memory/${name}`, () => memories.get(name)!.clear())));
      expect(await memories.get(name)!.size(), name).toBe(0);
    }
    expect(damage).toEqual([]);
  });

  it('RedisSharedState.clearScope() of any scope id removes that scope and nothing else', async () => {
    const damage: string[] = [];
    for (const name of names) {
      damage.push(...(await damageBy(`state/${name}`, () => state.clearScope('session', name))));
      expect(await state.keys('session', name), name).toEqual([]);
    }
    expect(damage).toEqual([]);
  });

  it('single-key removals (rate-limit reset, circuit delete, lease release) touch only their own key', async () => {
    const damage: string[] = [];
    for (const name of names) {
      damage.push(...(await damageBy(`ratelimit/${name}`, () => limiter.reset(name))));
      damage.push(...(await damageBy(`circuit/${name}`, () => circuits.delete(name))));
      expect(await circuits.load(name)).toBeUndefined();
      const lease = leases.get(name)!;
      damage.push(...(await damageBy(`lease/${name}`, async () => expect(await lease.release((await admin.get(lease.key)) ?? '')).toBe(true))));
    }
    expect(damage).toEqual([]);
    record('attackRedisNamespaceClears', names.length * 6);
  });

  it('leaves the server answering: PING within 100 ms after the attacks', async () => {
    const started = performance.now();
    expect(await admin.ping()).toBe('PONG');
    expect(performance.now() - started).toBeLessThan(100);
  });
});
