import type { Disposable } from '@tta/primitives';

/** A message as delivered. */
export interface MailboxMessage<TPayload = unknown> {
  /** Unique id, given by the mailbox. */
  readonly id: string;
  /** Kind of message; also the topic it is published on. */
  readonly type: string;
  /** Sending agent id. */
  readonly from: string;
  /** Receiving agent id for direct messages; absent for published ones. */
  readonly to?: string;
  readonly payload: TPayload;
  /** Epoch ms when the mailbox accepted it, a whole number (the clock reading rounded down). */
  readonly sentAt: number;
  /** Run the message belongs to, for tracing across agents and processes. */
  readonly correlationId?: string;
}

/** What a sender gives: the mailbox adds `id` and `sentAt`. */
export interface MessageDraft<TPayload = unknown> {
  readonly type: string;
  readonly from: string;
  readonly payload: TPayload;
  readonly correlationId?: string;
}

/** A direct message: kept in the recipient's inbox until received. */
export interface DirectMessageDraft<TPayload = unknown> extends MessageDraft<TPayload> {
  readonly to: string;
  /**
   * The message's id, to make a retried `send` safe: a send whose id was already sent to the same
   * inbox within the mailbox's deduplication window queues nothing (it resolves with the message all
   * the same).
   * A non-empty string of at most 256 characters. @default a new unique id (no deduplication)
   */
  readonly id?: string;
}

/** Receives published messages; errors it throws (or rejects with) are reported, not propagated. */
export type MessageListener<TPayload = unknown> = (message: MailboxMessage<TPayload>) => void | Promise<void>;

/** Options of {@link Mailbox.receive}. */
export interface ReceiveOptions {
  /** Most messages taken. @default Infinity */
  readonly limit?: number;
}

/**
 * Messages between agents, two ways:
 * - direct: `send` puts a message in the `to` agent's inbox, where it waits (FIFO) until that agent
 *   calls `receive`, which takes it out: each message is received once;
 * - publish/subscribe: `publish` delivers a message to every current subscriber of its `type`;
 *   nothing is kept for later subscribers.
 *
 * Every method is async so that a network mailbox (`RedisMailbox` in `@tta/redis`) fits; payloads
 * must survive `structuredClone` (and JSON, for network mailboxes). Typed, validated messages:
 * wrap a mailbox in `TypedMailbox`. Checked by `describeMailboxContract` from
 * `@tta/agent-context/testing`.
 */
export interface Mailbox {
  /** The version of this interface the implementation was written against; this release supports 1. */
  readonly specificationVersion: 1;
  /**
   * Queues a direct message in the recipient's inbox; resolves with the message as stored. Give the
   * draft an `id` when you may retry: a network mailbox can fail after it queued the message.
   */
  send<TPayload>(draft: DirectMessageDraft<TPayload>): Promise<MailboxMessage<TPayload>>;
  /** Takes waiting messages from `agentId`'s inbox, oldest first; an empty array when none. */
  receive(agentId: string, options?: ReceiveOptions): Promise<MailboxMessage[]>;
  /** Number of messages waiting in `agentId`'s inbox. */
  pending(agentId: string): Promise<number>;
  /** Delivers a message to every current subscriber of `draft.type`. */
  publish<TPayload>(draft: MessageDraft<TPayload>): Promise<MailboxMessage<TPayload>>;
  /**
   * Calls `listener` for every message published with this `type`. Resolves once the subscription
   * is active: a message published after that is delivered. Dispose the result to stop.
   */
  subscribe(type: string, listener: MessageListener): Promise<Disposable>;
}
