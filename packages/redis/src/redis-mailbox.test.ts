import { describe, expect, it, vi } from 'vitest';
import { describeMailboxContract } from '@tta/agent-context/testing';
import type { MailboxMessage } from '@tta/agent-context';
import { RedisMailbox } from './redis-mailbox.js';
import { runRedisSuites } from './test-support/redis-server.js';
import { useRedisServer } from './test-support/use-redis.js';

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

  it('keeps every key under its prefix and gives unread inboxes an expiry', async () => {
    const prefix = redis.uniquePrefix('inbox');
    const mailbox = new RedisMailbox({ connection: redis.client, prefix, inboxTtlMs: 60_000 });
    await mailbox.send({ type: 't', from: 'a', to: 'b', payload: 1 });
    const keys = await redis.keysWithPrefix(prefix);
    expect(keys).toEqual([`${prefix}mailbox:inbox:b`]);
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
});
