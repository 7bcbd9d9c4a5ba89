// The in-memory and Redis agent stores, attacked with the names and values that used to make them
// disagree: lone surrogates (Redis keys are UTF-8, so `secret-\ud800` and `secret-\udfff` became one
// key and one inbox received another's messages), addresses only one store refused, and values JSON
// changes on the way (Date, NaN, Map) or cannot carry (BigInt). Every case must end the same way in
// both stores: the same value read back, or the same typed refusal, before anything is written.
// After every test the server answers PING within 100 ms.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentCoordinationPrimitive,
  AgentContext,
  InMemoryAgentMemory,
  InMemoryMailbox,
  InMemorySharedState,
  defineAgent,
  type AgentMemory,
  type Mailbox,
  type SharedState,
  type StateAddress,
} from '@tta/agent-context';
import { WorkflowContext } from '@tta/primitives';
import { createRedisConnection, RedisAgentMemory, RedisMailbox, RedisSharedState } from '@tta/redis';
import { record } from './figures.js';
import { redisChecksRun, startRedis, type RedisServer } from './support/redis-server.js';

// ioredis is not a dependency of this package: name the client type through the toolkit.
type Redis = ReturnType<typeof createRedisConnection>;

/** How one call ended, comparable across stores. */
type Outcome = { readonly accepted: unknown } | { readonly refused: { readonly code: unknown; readonly retryable: unknown } };

async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { accepted: await call() };
  } catch (error) {
    return { refused: { code: (error as { code?: unknown }).code, retryable: (error as { retryable?: unknown }).retryable } };
  }
}

const invalid = { refused: { code: 'INVALID_INPUT', retryable: false } };

class Point {
  constructor(readonly x: number) {}
}
const cycle: Record<string, unknown> = { name: 'loop' };
cycle.self = cycle;

/** Values that JSON gives back unchanged, changed, or not at all. */
const hostileValues: readonly [string, unknown][] = [
  ['plain object', { a: [1, 'two', null, true] }],
  ['string cut mid-emoji', 'cut \ud83d'],
  ['lone low surrogate', '\udfff'],
  ['minus zero', -0],
  ['undefined property', { kept: 1, dropped: undefined }],
  ['null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
  ['__proto__ own key', JSON.parse('{"__proto__": {"x": 1}}') as unknown],
  ['Date', new Date(0)],
  ['NaN', Number.NaN],
  ['Infinity', { score: Infinity }],
  ['Map', new Map([['a', 1]])],
  ['Set', new Set([1, 2])],
  ['BigInt', { count: 12n }],
  ['RegExp', /x/g],
  ['Uint8Array', new Uint8Array([1, 2])],
  ['class instance', new Point(1)],
  ['function', { run: () => 1 }],
  ['undefined in an array', [1, undefined]],
  ['cycle', cycle],
];

describe.skipIf(!redisChecksRun())('attack: the in-memory and Redis agent stores accept, refuse and return alike', () => {
  let server: RedisServer;
  let client: Redis;
  let probe: Redis;
  let counter = 0;
  const prefix = (): string => `parity-${++counter}:`;

  beforeAll(async () => {
    server = await startRedis();
    client = createRedisConnection({ port: server.port, commandTimeoutMs: 2_000 });
    probe = createRedisConnection({ port: server.port, commandTimeoutMs: 1_000 });
  });

  afterEach(async () => {
    const started = performance.now();
    const answer = await probe.ping().catch((error: unknown) => String(error));
    expect(answer).toBe('PONG');
    expect(performance.now() - started).toBeLessThan(100);
  });

  afterAll(async () => {
    probe?.disconnect();
    client?.disconnect();
    await server?.stop();
  });

  it('Redis itself merges lone surrogates into U+FFFD: the reason names must be well-formed', async () => {
    await client.set(`${prefix()}secret-\ud800`, 'alice');
    // Both halves and the replacement character itself encode to the same UTF-8 bytes.
    const key = (await client.keys('parity-*secret-*'))[0]!;
    expect(key.endsWith('secret-\ufffd')).toBe(true);
  });

  it('no inbox receives another agent\'s messages through a lone surrogate', async () => {
    const redis = new RedisMailbox({ connection: client, prefix: prefix() });
    const memory = new InMemoryMailbox();
    try {
      for (const mailbox of [redis, memory] as Mailbox[]) {
        await mailbox.send({ type: 'secret', from: 'bank', to: 'agent-\ufffd', payload: 'for \ufffd only' });
        expect(await outcomeOf(() => mailbox.send({ type: 'secret', from: 'bank', to: 'agent-\ud800', payload: 'for \ud800' }))).toEqual(invalid);
        expect(await outcomeOf(() => mailbox.receive('agent-\udfff'))).toEqual(invalid);
        expect(await outcomeOf(() => mailbox.pending('agent-\udfff'))).toEqual(invalid);
        expect(await outcomeOf(() => mailbox.subscribe('secret-\udfff', () => undefined))).toEqual(invalid);
        expect((await mailbox.receive('agent-\ufffd')).map((message) => message.payload)).toEqual(['for \ufffd only']);
      }
    } finally {
      await redis.close();
    }
  });

  it('no state entry or memory is read, overwritten or deleted through a lone surrogate', async () => {
    const redisState = new RedisSharedState({ connection: client, prefix: prefix() });
    const redisMemory = new RedisAgentMemory({ connection: client, prefix: prefix(), namespace: 'parity' });
    try {
      for (const state of [redisState, new InMemorySharedState()] as SharedState[]) {
        const own: StateAddress = { scope: 'global', scopeId: '', key: 'secret-\ufffd' };
        await state.set(own, 'kept');
        for (const half of ['\ud800', '\udfff']) {
          const other: StateAddress = { scope: 'global', scopeId: '', key: `secret-${half}` };
          expect(await outcomeOf(() => state.get(other))).toEqual(invalid);
          expect(await outcomeOf(() => state.set(other, 'overwrite'))).toEqual(invalid);
          expect(await outcomeOf(() => state.delete(other))).toEqual(invalid);
          expect(await outcomeOf(() => state.set({ scope: 'session', scopeId: `tenant-${half}`, key: 'k' }, 1))).toEqual(invalid);
        }
        expect((await state.get(own))?.value).toBe('kept');
      }
      for (const memory of [redisMemory, new InMemoryAgentMemory()] as AgentMemory[]) {
        await memory.store({ id: 'secret-\ufffd', agentId: 'a', content: 'kept' });
        expect(await outcomeOf(() => memory.retrieve('secret-\ud800'))).toEqual(invalid);
        expect(await outcomeOf(() => memory.delete('secret-\udfff'))).toEqual(invalid);
        expect((await memory.retrieve('secret-\ufffd'))?.content).toBe('kept');
      }
    } finally {
      await Promise.all([redisState.close(), redisMemory.close()]);
    }
  });

  it('refuses the same state addresses in both stores', async () => {
    const own = prefix();
    const redis = new RedisSharedState({ connection: client, prefix: own });
    const memory = new InMemorySharedState();
    const addresses: unknown[] = [
      { scope: 'global', scopeId: '', key: '' },
      { scope: 'tenant}:x', scopeId: 'x', key: 'k' },
      { scope: 'global', scopeId: 7, key: 'k' },
      { scope: 'global', scopeId: '', key: 7 },
      null,
    ];
    try {
      for (const address of addresses) {
        expect(await outcomeOf(() => redis.set(address as StateAddress, 1)), JSON.stringify(address)).toEqual(invalid);
        expect(await outcomeOf(() => memory.set(address as StateAddress, 1)), JSON.stringify(address)).toEqual(invalid);
      }
      expect(await client.keys(`${own}*`)).toEqual([]);
    } finally {
      await redis.close();
    }
  });

  it('returns or refuses every hostile value the same way in state, memory and mailbox', async () => {
    const redisState = new RedisSharedState({ connection: client, prefix: prefix() });
    const redisMemory = new RedisAgentMemory({ connection: client, prefix: prefix(), namespace: 'values' });
    const redisMailbox = new RedisMailbox({ connection: client, prefix: prefix() });
    const memoryState = new InMemorySharedState();
    const memoryMemory = new InMemoryAgentMemory();
    const memoryMailbox = new InMemoryMailbox();
    const roundTrip = {
      state: async (store: SharedState, value: unknown, key: string) => {
        await store.set({ scope: 'global', scopeId: '', key }, value);
        return (await store.get({ scope: 'global', scopeId: '', key }))?.value;
      },
      memory: async (store: AgentMemory, value: unknown, id: string) => {
        await store.store({ id, agentId: 'a', content: value, metadata: { value } });
        const entry = await store.retrieve(id);
        return [entry?.content, entry?.metadata];
      },
      mailbox: async (mailbox: Mailbox, value: unknown, to: string) => {
        await mailbox.send({ type: 't', from: 'x', to, payload: value });
        return (await mailbox.receive(to)).map((message) => message.payload);
      },
    };
    let same = 0;
    let refusedAlike = 0;
    try {
      for (const [index, [name, value]] of hostileValues.entries()) {
        const pairs: [Outcome, Outcome][] = [
          [await outcomeOf(() => roundTrip.state(redisState, value, `v${index}`)), await outcomeOf(() => roundTrip.state(memoryState, value, `v${index}`))],
          [await outcomeOf(() => roundTrip.memory(redisMemory, value, `v${index}`)), await outcomeOf(() => roundTrip.memory(memoryMemory, value, `v${index}`))],
          [await outcomeOf(() => roundTrip.mailbox(redisMailbox, value, `v${index}`)), await outcomeOf(() => roundTrip.mailbox(memoryMailbox, value, `v${index}`))],
        ];
        for (const [redis, memory] of pairs) {
          expect(redis, `${name}: Redis and in-memory stores differ`).toStrictEqual(memory);
          if ('refused' in redis) {
            expect(redis, name).toEqual(invalid);
            refusedAlike++;
          } else {
            same++;
          }
        }
      }
      // Nothing refused left anything behind: only the accepted values' keys exist.
      expect(await redisMailbox.pending('v7')).toBe(0);
      expect(await redisMemory.size()).toBe(7);
    } finally {
      await Promise.all([redisState.close(), redisMemory.close(), redisMailbox.close()]);
    }
    record('parityValuesReturnedAlike', same);
    record('parityValuesRefusedAlike', refusedAlike);
    expect(same).toBe(7 * 3);
    expect(refusedAlike).toBe((hostileValues.length - 7) * 3);
  });

  it('a consensus of three agents answering three different Maps is no consensus', async () => {
    const answers = [new Map([['label', 'spam']]), new Map([['label', 'ham']]), new Map([['label', 'unsure']])];
    const panel = new AgentCoordinationPrimitive({
      strategy: 'consensus',
      agents: answers.map((answer, index) => defineAgent({ id: `judge-${index}`, role: 'judge' }, async () => answer)),
    });
    const context = AgentContext.create({ workflow: WorkflowContext.create(), agent: { id: 'lead', role: 'coordinator' } });
    await expect(panel.execute(context, 'mail')).rejects.toMatchObject({ reason: 'no-consensus' });
  });
});
