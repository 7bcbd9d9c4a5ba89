import { describe, expect, it, vi } from 'vitest';
import { describeMailboxContract } from '@tta/agent-context/testing';
import type { MailboxMessage } from '@tta/agent-context';
import { InvalidOptionsError } from '@tta/primitives';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';
import { RedisMailbox } from './redis-mailbox.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { onRedisCluster, useRedisServer } from './test-support/use-redis.js';

describe.skipIf(!runRedisSuites)('RedisMailbox', () => {
  const redis = useRedisServer();

  describeMailboxContract(
    'RedisMailbox',
    async ({ clock }) => new RedisMailbox({ connection: redis.client, prefix: redis.uniquePrefix('mailbox'), clock }),
    async (mailbox) => (mailbox as RedisMailbox).close(),
  );

  it('hands each direct message to exactly one of several competing receivers', async () => {
    const prefix = redis.uniquePrefix('compete');
    const sender = new RedisMailbox({ connection: redis.connection, prefix });
    const receivers = [0, 1, 2].map(() => new RedisMailbox({ connection: redis.connection, prefix }));
    for (let index = 0; index < 60; index++) await sender.send({ type: 'job', from: 'boss', to: 'crew', payload: index });
    const batches = await Promise.all(Array.from({ length: 30 }, (_, index) => receivers[index % 3]!.receive('crew', { limit: 3 })));
    const payloads = batches.flat().map((message) => message.payload as number);
    expect(payloads.sort((left, right) => left - right)).toEqual(Array.from({ length: 60 }, (_, index) => index));
    await Promise.all([sender, ...receivers].map((mailbox) => mailbox.close()));
  });

  it('delivers a message published on one connection to subscribers on another', async () => {
    const prefix = redis.uniquePrefix('pubsub');
    const publisher = new RedisMailbox({ connection: redis.connection, prefix });
    const subscriber = new RedisMailbox({ connection: redis.connection, prefix });
    const seen: MailboxMessage[] = [];
    const subscription = await subscriber.subscribe('alert', (message) => void seen.push(message));
    const sent = await publisher.publish({ type: 'alert', from: 'monitor', payload: { level: 'high' }, correlationId: 'run-7' });
    await vi.waitFor(() => expect(seen).toEqual([sent]), { timeout: 5_000, interval: 5 });
    subscription.dispose();
    await Promise.all([publisher.close(), subscriber.close()]);
  });

  it('keeps each inbox under mailbox:{<agent id>}:, one hash tag per agent, whatever braces or colons the id holds', async () => {
    const prefix = redis.uniquePrefix('inbox-tags');
    const mailbox = new RedisMailbox({ connection: redis.client, prefix });
    const agents = ['llm', 'llm:v2', 'x}y', '{z', 'a\\b', 'ab'];
    for (const to of agents) await mailbox.send({ type: 't', from: 'a', to, payload: to });
    for (const to of agents) expect((await mailbox.receive(to)).map((message) => message.payload), to).toEqual([to]);
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys.every((key) => key.startsWith(`${prefix}mailbox:{`) && key.indexOf('}') === key.lastIndexOf('}')), keys.join(' ')).toBe(true);
    await mailbox.close();
  });

  it('keeps every key under its prefix and gives unread inboxes an expiry', async () => {
    const prefix = redis.uniquePrefix('inbox');
    const mailbox = new RedisMailbox({ connection: redis.client, prefix, inboxTtlMs: 60_000 });
    await mailbox.send({ type: 't', from: 'a', to: 'b', payload: 1 });
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys).toEqual([`${prefix}mailbox:{b}:inbox`]);
    expect(await redis.client.pttl(keys[0]!)).toBeGreaterThan(50_000);
    await mailbox.close();
  });

  it('reports a listener that throws without breaking delivery to the others', async () => {
    const mailbox = new RedisMailbox({ connection: redis.client, prefix: redis.uniquePrefix('throw') });
    const reported: unknown[] = [];
    const original = globalThis.reportError;
    globalThis.reportError = (error: unknown) => void reported.push(error);
    try {
      const seen: unknown[] = [];
      const bad = await mailbox.subscribe('t', () => {
        throw new Error('listener bug');
      });
      const good = await mailbox.subscribe('t', (message) => void seen.push(message.payload));
      await mailbox.publish({ type: 't', from: 'x', payload: 1 });
      await vi.waitFor(() => expect(seen).toEqual([1]), { timeout: 5_000, interval: 5 });
      await vi.waitFor(() => expect(reported).toHaveLength(1), { timeout: 5_000, interval: 5 });
      bad.dispose();
      good.dispose();
    } finally {
      globalThis.reportError = original;
      await mailbox.close();
    }
  });

  // One server's own behaviour (its URL, CLIENT PAUSE, a proxy in front of it): not run on a cluster.
  it.skipIf(onRedisCluster)('gives back the messages of a receive that timed out, in sending order, after redeliveryDelayMs', async () => {
    const prefix = redis.uniquePrefix('redeliver');
    const mailbox = new RedisMailbox({ connection: { ...redis.connection, commandTimeoutMs: 150 }, prefix, redeliveryDelayMs: 300 });
    try {
      for (let index = 1; index <= 3; index++) await mailbox.send({ type: 't', from: 'a', to: 'b', payload: index });
      await redis.client.call('CLIENT', 'PAUSE', '600', 'WRITE');
      const error: unknown = await mailbox.receive('b', { limit: 2 }).then(() => 'resolved', (failure: unknown) => failure);
      expect(RedisUnavailableError.isInstance(error) && error.maybeApplied).toBe(true);
      // After the pause the timed-out receive has run: two messages wait in flight, one in the inbox.
      await vi.waitFor(async () => expect(await mailbox.pending('b')).toBe(1), { timeout: 5_000, interval: 50 });
      expect(await redis.client.zcard(`${prefix}mailbox:{b}:redeliver-at`)).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const received = await mailbox.receive('b');
      expect(received.map((message) => message.payload)).toEqual([1, 2, 3]);
      expect(await redis.keysWithPrefix(prefix)).toEqual([]);
    } finally {
      await mailbox.close();
    }
  });

  it('acknowledges what it received: no message is left in flight', async () => {
    const prefix = redis.uniquePrefix('ack');
    const mailbox = new RedisMailbox({ connection: redis.client, prefix, redeliveryDelayMs: 1 });
    await mailbox.send({ type: 't', from: 'a', to: 'b', payload: 1 });
    await mailbox.send({ type: 't', from: 'a', to: 'b', payload: 2 });
    expect((await mailbox.receive('b', { limit: 1 })).map((message) => message.payload)).toEqual([1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await mailbox.receive('b')).map((message) => message.payload)).toEqual([2]);
    expect(await mailbox.receive('b')).toEqual([]);
    expect(await redis.keysWithPrefix(prefix)).toEqual([]);
    await mailbox.close();
  });

  it('remembers sender ids in one key per inbox that expires with the deduplication window', async () => {
    const prefix = redis.uniquePrefix('dedupe');
    const mailbox = new RedisMailbox({ connection: redis.client, prefix, deduplicationWindowMs: 30_000 });
    await mailbox.send({ id: 'm-1', type: 't', from: 'a', to: 'b', payload: 1 });
    await mailbox.send({ id: 'm-2', type: 't', from: 'a', to: 'b', payload: 2 });
    expect((await redis.keysWithPrefix(prefix)).sort()).toEqual([`${prefix}mailbox:{b}:inbox`, `${prefix}mailbox:{b}:sent`]);
    const pttl = await redis.client.pttl(`${prefix}mailbox:{b}:sent`);
    expect(pttl).toBeGreaterThan(25_000);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await mailbox.close();
  });

  it('refuses a redelivery delay or deduplication window that is not a positive integer', () => {
    for (const value of [0, -1, 1.5, Infinity, Number.NaN]) {
      expect(() => new RedisMailbox({ connection: redis.client, redeliveryDelayMs: value })).toThrow(InvalidOptionsError);
      expect(() => new RedisMailbox({ connection: redis.client, deduplicationWindowMs: value })).toThrow(InvalidOptionsError);
    }
  });
});
