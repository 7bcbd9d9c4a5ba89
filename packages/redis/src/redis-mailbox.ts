import { randomUUID } from 'node:crypto';
import { InvalidInputError, type Disposable } from '@tta/primitives';
import { assertDuration, describeValue, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { assertWellFormedName, copyPlainData, validateMessageNames } from '@tta/agent-context';
import type { DirectMessageDraft, Mailbox, MailboxMessage, MessageDraft, MessageListener, ReceiveOptions } from '@tta/agent-context';
import { isClusterClient, resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard } from './redis-call.js';
import { PubSubHub, reportListenerFailure } from './pub-sub-hub.js';
import { storeKey } from './key-layout.js';
import { publishScript, receiptFields, receiveScript, sendScript } from './redis-mailbox-scripts.js';
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
  /**
   * How long the `id` a sender gave a message is remembered, so that a retried send with that id
   * queues nothing. @default 3_600_000 (one hour)
   */
  readonly deduplicationWindowMs?: number;
  /**
   * How long messages taken by a `receive` whose reply never came (a timeout, a dropped
   * connection) are held before the next `receive` of that inbox gets them again. Keep it well
   * above the command timeout: a receive still reading its reply after this long may see its
   * messages delivered twice. @default 60_000
   */
  readonly redeliveryDelayMs?: number;
}

/** Expired receipts one receive puts back at most: keeps every receive's work bounded. */
const restoreBatch = 1_000;

/**
 * The `Mailbox` in Redis, for agents that live in different processes:
 * - direct messages go to a Redis list per recipient (`<prefix>mailbox:{<agentId>}:inbox`); `receive`
 *   moves them atomically into an in-flight hash under a receipt and acknowledges the receipt once
 *   its reply arrived, so each message is taken by one receiver, in sending order, even when several
 *   processes read the same inbox, and a receive that times out loses nothing: its messages return
 *   to the inbox after `redeliveryDelayMs`;
 * - a send with an `id` is deduplicated per inbox for `deduplicationWindowMs`, so a send that
 *   failed with a `RedisUnavailableError` whose `maybeApplied` is true can be retried with the same
 *   draft without queueing the message twice;
 * - `publish` / `subscribe` use Redis pub/sub on `<prefix>mailbox:{<type>}:topic`: every process
 *   subscribed at that moment gets the message, and nothing is kept for later subscribers.
 *
 * Payloads travel as JSON. For typed, validated messages wrap it in `TypedMailbox` from
 * `@tta/agent-context`.
 *
 * @example
 * ```ts
 * const mailbox = new RedisMailbox({ connection: redis });
 * await mailbox.send({ type: 'review', from: 'coder', to: 'reviewer', payload: { pr: 42 } });
 * const messages = await mailbox.receive('reviewer');
 * ```
 */
export class RedisMailbox implements Mailbox {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly inboxTtlMs: number;
  private readonly deduplicationWindowMs: number;
  private readonly redeliveryDelayMs: number;
  private readonly hub: PubSubHub;

  constructor(options: RedisMailboxOptions = {}) {
    assertOptionsObject('RedisMailbox', options, ['connection', 'prefix', 'clock', 'inboxTtlMs', 'deduplicationWindowMs', 'redeliveryDelayMs'] satisfies (keyof RedisMailboxOptions)[]);
    this.prefix = validatePrefix('RedisMailbox', options.prefix);
    this.clock = options.clock ?? systemClock;
    const inboxTtlMs = options.inboxTtlMs ?? 604_800_000;
    assertDuration('RedisMailbox', 'inboxTtlMs', inboxTtlMs, { integer: true });
    this.inboxTtlMs = inboxTtlMs;
    const deduplicationWindowMs = options.deduplicationWindowMs ?? 3_600_000;
    assertDuration('RedisMailbox', 'deduplicationWindowMs', deduplicationWindowMs, { integer: true, positive: true });
    this.deduplicationWindowMs = deduplicationWindowMs;
    const redeliveryDelayMs = options.redeliveryDelayMs ?? 60_000;
    assertDuration('RedisMailbox', 'redeliveryDelayMs', redeliveryDelayMs, { integer: true, positive: true });
    this.redeliveryDelayMs = redeliveryDelayMs;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
    this.hub = new PubSubHub(client, 'RedisMailbox');
  }

  async send<TPayload>(draft: DirectMessageDraft<TPayload>): Promise<MailboxMessage<TPayload>> {
    if (typeof draft?.to !== 'string' || draft.to.length === 0) {
      throw new InvalidInputError('RedisMailbox.send', `"to" must be a non-empty agent id (got ${describeValue((draft as { to?: unknown } | null | undefined)?.to)})`);
    }
    assertMessageId(draft.id);
    validateMessageNames('RedisMailbox.send', { agentId: draft.to, id: draft.id });
    const [message, json] = this.stamp(draft, draft.to, draft.id);
    const now = this.clock.now();
    await guard('RedisMailbox.send', () =>
      sendScript.run(this.client, [this.inboxKey(draft.to), this.sentKey(draft.to)], [json, draft.id ?? '', now, now + this.deduplicationWindowMs, this.deduplicationWindowMs, this.inboxTtlMs]),
    );
    return message;
  }

  async receive(agentId: string, options: ReceiveOptions = {}): Promise<MailboxMessage[]> {
    assertCallOptions('RedisMailbox.receive', 'options', options);
    validateMessageNames('RedisMailbox.receive', { agentId });
    const limit = options.limit ?? Infinity;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
      throw new InvalidInputError('RedisMailbox.receive', `limit must be an integer >= 0 or Infinity (got ${describeValue(limit)})`);
    }
    if (limit === 0) return [];
    const inFlight = this.inFlightKey(agentId);
    const deadlines = this.deadlinesKey(agentId);
    const receiptId = randomUUID();
    const texts = (await guard('RedisMailbox.receive', () =>
      receiveScript.run(this.client, [this.inboxKey(agentId), inFlight, deadlines], [receiptId, limit === Infinity ? -1 : limit, this.redeliveryDelayMs, restoreBatch, this.inboxTtlMs]),
    )) as string[];
    if (texts.length > 0) {
      const fields = receiptFields(receiptId, texts.length);
      try {
        await guard('RedisMailbox.receive', () => this.client.multi().hdel(inFlight, ...fields).zrem(deadlines, ...fields).exec().then(rethrowFirst));
      } catch {
        // The messages are in hand: returning them is better than losing them. If the acknowledgement
        // did not land they come back after redeliveryDelayMs with the same ids (at least once).
      }
    }
    return texts.map((text) => JSON.parse(text) as MailboxMessage);
  }

  async pending(agentId: string): Promise<number> {
    validateMessageNames('RedisMailbox.pending', { agentId });
    return guard('RedisMailbox.pending', () => this.client.llen(this.inboxKey(agentId)));
  }

  async publish<TPayload>(draft: MessageDraft<TPayload>): Promise<MailboxMessage<TPayload>> {
    if (typeof draft?.type !== 'string' || draft.type.length === 0) {
      throw new InvalidInputError('RedisMailbox.publish', `"type" must be a non-empty string (got ${describeValue((draft as { type?: unknown } | null | undefined)?.type)})`);
    }
    const [message, json] = this.stamp(draft, undefined, undefined);
    const topic = this.topic(draft.type);
    // A cluster client sends a keyless PUBLISH to any node, and messages sent through different
    // nodes can overtake one another on the cluster bus: routed by the topic, they keep their order.
    await guard('RedisMailbox.publish', () => (isClusterClient(this.client) ? publishScript.run(this.client, [topic], [json]) : this.client.publish(topic, json)));
    return message;
  }

  async subscribe(type: string, listener: MessageListener): Promise<Disposable> {
    if (typeof listener !== 'function') {
      throw new InvalidInputError('RedisMailbox.subscribe', `listener must be a function (got ${describeValue(listener)})`);
    }
    validateMessageNames('RedisMailbox.subscribe', { type });
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

  private stamp<TPayload>(draft: MessageDraft<TPayload>, to: string | undefined, id: string | undefined): [MailboxMessage<TPayload>, string] {
    // The in-memory mailbox's rules: a type and a sender, well-formed, and a payload JSON keeps as it is.
    assertWellFormedName('RedisMailbox', 'message "type"', draft.type);
    assertWellFormedName('RedisMailbox', 'message "from"', draft.from);
    const payload = draft.payload === undefined ? draft.payload : copyPlainData('RedisMailbox', 'payload', draft.payload);
    const message: { -readonly [K in keyof MailboxMessage<TPayload>]: MailboxMessage<TPayload>[K] } = {
      id: id ?? randomUUID(),
      type: draft.type,
      from: draft.from,
      payload,
      sentAt: Math.floor(this.clock.now()),
    };
    if (to !== undefined) message.to = to;
    if (draft.correlationId !== undefined) message.correlationId = draft.correlationId;
    const json = JSON.stringify(message);
    // The sender gets what the receiver will get: a JSON round trip, detached from its own objects.
    return [JSON.parse(json) as MailboxMessage<TPayload>, json];
  }

  private inboxKey(agentId: string): string {
    return storeKey(this.prefix, 'mailbox', agentId, 'inbox');
  }

  private sentKey(agentId: string): string {
    return storeKey(this.prefix, 'mailbox', agentId, 'sent');
  }

  private inFlightKey(agentId: string): string {
    return storeKey(this.prefix, 'mailbox', agentId, 'in-flight');
  }

  private deadlinesKey(agentId: string): string {
    return storeKey(this.prefix, 'mailbox', agentId, 'redeliver-at');
  }

  private topic(type: string): string {
    return storeKey(this.prefix, 'mailbox', type, 'topic');
  }
}

/** Refuses a sender id the in-memory mailbox refuses too: a non-empty string of at most 256 characters. */
function assertMessageId(id: unknown): void {
  if (id === undefined) return;
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new InvalidInputError('RedisMailbox.send', `"id" must be a non-empty string of at most 256 characters (got ${describeValue(id)})`);
  }
}

/** `exec()` reports each command's error in its slot; surface the first one. */
function rethrowFirst(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('transaction aborted');
  for (const [error] of replies) if (error !== null) throw error;
  return replies.map(([, value]) => value);
}
