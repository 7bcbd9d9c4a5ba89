import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InvalidInputError, assertDuration, describeValue, systemClock, type Clock, type Disposable } from '@tta/primitives';
import type { DirectMessageDraft, Mailbox, MailboxMessage, MessageDraft, MessageListener, ReceiveOptions } from '@tta/agent-context';
import { resolveConnection, validatePrefix, type RedisStoreOptions } from './connection.js';
import { closeClient, guard } from './redis-call.js';
import { PubSubHub, reportListenerFailure } from './pub-sub-hub.js';
import { assertCallOptions, assertOptionsObject } from './validate-options.js';

/** Options of {@link RedisMailbox}. */
export interface RedisMailboxOptions extends RedisStoreOptions {
  /** Clock for `sentAt`. @default systemClock */
  readonly clock?: Clock;
  /**
   * How long an inbox that nobody reads is kept after its last message (every send renews it).
   * `0`: forever.
   * @default 604_800_000 (seven days)
   */
  readonly inboxTtlMs?: number;
}

/**
 * The `Mailbox` in Redis, for agents that live in different processes:
 * - direct messages go to a Redis list per recipient (`<prefix>mailbox:inbox:<agentId>`); `receive`
 *   pops them atomically (`LPOP` with a count), so each message is taken by exactly one receiver,
 *   in sending order, even when several processes read the same inbox;
 * - `publish` / `subscribe` use Redis pub/sub on `<prefix>mailbox:topic:<type>`: every process
 *   subscribed at that moment gets the message, and nothing is kept for later subscribers.
 *
 * Payloads travel as JSON. For typed, validated messages wrap it in `TypedMailbox` from
 * `@tta/agent-context`.
 *
 * @example
 * const mailbox = new RedisMailbox({ connection: redis });
 * await mailbox.send({ type: 'review', from: 'coder', to: 'reviewer', payload: { pr: 42 } });
 * const messages = await mailbox.receive('reviewer');
 */
export class RedisMailbox implements Mailbox {
  private readonly client: Redis;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly inboxTtlMs: number;
  private readonly hub: PubSubHub;

  constructor(options: RedisMailboxOptions = {}) {
    assertOptionsObject('RedisMailbox', options);
    this.prefix = `${validatePrefix('RedisMailbox', options.prefix)}mailbox:`;
    this.clock = options.clock ?? systemClock;
    const inboxTtlMs = options.inboxTtlMs ?? 604_800_000;
    assertDuration('RedisMailbox', 'inboxTtlMs', inboxTtlMs, { integer: true });
    this.inboxTtlMs = inboxTtlMs;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
    this.hub = new PubSubHub(client, 'RedisMailbox');
  }

  async send<TPayload>(draft: DirectMessageDraft<TPayload>): Promise<MailboxMessage<TPayload>> {
    if (typeof draft?.to !== 'string' || draft.to.length === 0) {
      throw new InvalidInputError('RedisMailbox.send', `"to" must be a non-empty agent id (got ${describeValue((draft as { to?: unknown } | null | undefined)?.to)})`);
    }
    const [message, json] = this.stamp(draft, draft.to);
    const inbox = this.inboxKey(draft.to);
    await guard('RedisMailbox.send', () => {
      const pipeline = this.client.multi().rpush(inbox, json);
      if (this.inboxTtlMs > 0) pipeline.pexpire(inbox, this.inboxTtlMs);
      return pipeline.exec().then(rethrowFirst);
    });
    return message;
  }

  async receive(agentId: string, options: ReceiveOptions = {}): Promise<MailboxMessage[]> {
    assertCallOptions('RedisMailbox.receive', 'options', options);
    const limit = options.limit ?? Infinity;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
      throw new InvalidInputError('RedisMailbox.receive', `limit must be an integer >= 0 or Infinity (got ${describeValue(limit)})`);
    }
    if (limit === 0) return [];
    const inbox = this.inboxKey(agentId);
    let texts: string[];
    if (limit === Infinity) {
      // LRANGE + DEL in one transaction: the whole inbox, atomically.
      const replies = await guard('RedisMailbox.receive', () => this.client.multi().lrange(inbox, 0, -1).del(inbox).exec().then(rethrowFirst));
      texts = (replies[0] as string[] | undefined) ?? [];
    } else {
      texts = (await guard('RedisMailbox.receive', () => this.client.lpop(inbox, limit))) ?? [];
    }
    return texts.map((text) => JSON.parse(text) as MailboxMessage);
  }

  async pending(agentId: string): Promise<number> {
    return guard('RedisMailbox.pending', () => this.client.llen(this.inboxKey(agentId)));
  }

  async publish<TPayload>(draft: MessageDraft<TPayload>): Promise<MailboxMessage<TPayload>> {
    if (typeof draft?.type !== 'string' || draft.type.length === 0) {
      throw new InvalidInputError('RedisMailbox.publish', `"type" must be a non-empty string (got ${describeValue((draft as { type?: unknown } | null | undefined)?.type)})`);
    }
    const [message, json] = this.stamp(draft, undefined);
    await guard('RedisMailbox.publish', () => this.client.publish(this.topic(draft.type), json));
    return message;
  }

  async subscribe(type: string, listener: MessageListener): Promise<Disposable> {
    if (typeof listener !== 'function') {
      throw new InvalidInputError('RedisMailbox.subscribe', `listener must be a function (got ${describeValue(listener)})`);
    }
    return this.hub.subscribe(this.topic(type), (text) => {
      try {
        const outcome = listener(JSON.parse(text) as MailboxMessage);
        if (outcome instanceof Promise) outcome.catch(reportListenerFailure);
      } catch (error) {
        reportListenerFailure(error);
      }
    });
  }

  /** Closes the subscriber connection, and the main one when the mailbox created it. */
  async close(): Promise<void> {
    await this.hub.close();
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private stamp<TPayload>(draft: MessageDraft<TPayload>, to: string | undefined): [MailboxMessage<TPayload>, string] {
    const message: { -readonly [K in keyof MailboxMessage<TPayload>]: MailboxMessage<TPayload>[K] } = {
      id: randomUUID(),
      type: draft.type,
      from: draft.from,
      payload: draft.payload,
      sentAt: this.clock.now(),
    };
    if (to !== undefined) message.to = to;
    if (draft.correlationId !== undefined) message.correlationId = draft.correlationId;
    const json = JSON.stringify(message);
    // The sender gets what the receiver will get: a JSON round trip, detached from its own objects.
    return [JSON.parse(json) as MailboxMessage<TPayload>, json];
  }

  private inboxKey(agentId: string): string {
    return `${this.prefix}inbox:${agentId}`;
  }

  private topic(type: string): string {
    return `${this.prefix}topic:${type}`;
  }
}

/** `exec()` reports each command's error in its slot; surface the first one. */
function rethrowFirst(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('transaction aborted');
  for (const [error] of replies) if (error !== null) throw error;
  return replies.map(([, value]) => value);
}
