import { assertWellFormedName } from '../data/assert-well-formed-name.js';

/** The names a {@link Mailbox} call addresses inboxes, topics and messages by. */
export interface MessageNames {
  /** Recipient of `send`, or the inbox of `receive` and `pending`. */
  readonly agentId?: unknown;
  readonly from?: unknown;
  /** Type of a message, or the topic of `subscribe`. */
  readonly type?: unknown;
  /** A sender-given message id (deduplication). */
  readonly id?: unknown;
}

/**
 * Refuses, with `InvalidInputError` naming `operation`, a mailbox call whose agent id, sender,
 * type or message id holds a lone UTF-16 surrogate. A network mailbox encodes them as UTF-8,
 * where every lone surrogate becomes U+FFFD: `secret-\ud800` would read `secret-\udfff`'s inbox,
 * a subscriber get another type's messages, and a message id deduplicate another's message.
 * Only strings are checked: each mailbox's own checks of missing or empty names stay as they are.
 *
 * @example
 * <!-- snippet-prelude: declare const agentId: unknown; -->
 * ```ts
 * validateMessageNames('RedisMailbox.receive', { agentId });
 * ```
 */
export function validateMessageNames(operation: string, names: MessageNames): void {
  for (const field of ['agentId', 'from', 'type', 'id'] as const) {
    const value = names[field];
    if (typeof value === 'string') assertWellFormedName(operation, field, value, { allowEmpty: true });
  }
}
