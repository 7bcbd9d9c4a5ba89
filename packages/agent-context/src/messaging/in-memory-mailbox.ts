import { InvalidInputError, type Disposable } from '@tta/primitives';
import { assertDuration, describeValue, requireMethods, requireOptionsObject, systemClock, toDisposable, type Clock } from '@tta/primitives/instrumentation';
import { generateId } from '../internal/generate-id.js';
import { assertMessageId } from './message-id.js';
import { validateMessageNames } from './validate-message-names.js';
import { copyPlainData } from '../data/copy-plain-data.js';
import { reportError } from '../internal/report-error.js';
import type { DirectMessageDraft, Mailbox, MailboxMessage, MessageDraft, MessageListener, ReceiveOptions } from './mailbox.js';

/** Options of {@link InMemoryMailbox}. */
export interface InMemoryMailboxOptions {
  /** Clock for `sentAt`. @default systemClock */
  readonly clock?: Clock;
  /**
   * How long the `id` of a sent message is remembered, so that a send with the same id to the same
   * inbox queues nothing. @default 3_600_000 (one hour)
   */
  readonly deduplicationWindowMs?: number;
}

/**
 * The {@link Mailbox} of one process. Published messages reach subscribers synchronously, each
 * subscriber with its own copy; a listener that throws or rejects is reported and does not stop
 * the others.
 *
 * @example
 * ```ts
 * const mailbox = new InMemoryMailbox();
 * await mailbox.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts' } });
 * const [task] = await mailbox.receive('coder');
 * ```
 */
export class InMemoryMailbox implements Mailbox {
  /** Implements version 1 of the interface. */
  readonly specificationVersion = 1 as const;
  private readonly clock: Clock;
  private readonly deduplicationWindowMs: number;
  private readonly inboxes = new Map<string, MailboxMessage[]>();
  /** Per inbox: ids given by senders, with the time they are forgotten (in insertion order). */
  private readonly sentIds = new Map<string, Map<string, number>>();
  private readonly subscribers = new Map<string, MessageListener[]>();

  constructor(options: InMemoryMailboxOptions = {}) {
    requireOptionsObject('InMemoryMailbox', options, { optional: true });
    const clock = options.clock ?? systemClock;
    requireMethods('InMemoryMailbox', 'clock', clock, { methods: ['now'], description: 'a Clock' });
    this.clock = clock;
    const deduplicationWindowMs = options.deduplicationWindowMs ?? 3_600_000;
    assertDuration('InMemoryMailbox', 'deduplicationWindowMs', deduplicationWindowMs, { integer: true });
    this.deduplicationWindowMs = deduplicationWindowMs;
  }

  send<TPayload>(draft: DirectMessageDraft<TPayload>): Promise<MailboxMessage<TPayload>> {
    if (typeof draft !== 'object' || draft === null) return Promise.reject(new InvalidInputError('Mailbox.send', `message must be an object (got ${describeValue(draft)})`));
    if (typeof draft.to !== 'string' || draft.to.length === 0) {
      return Promise.reject(new InvalidInputError('Mailbox.send', `"to" must be a non-empty agent id (got ${describeValue(draft.to)})`));
    }
    let message: MailboxMessage<TPayload>;
    try {
      assertMessageId(draft.id);
      validateMessageNames('Mailbox.send', { agentId: draft.to, id: draft.id });
      message = this.stamp(draft, draft.to, draft.id);
    } catch (error) {
      return Promise.reject(error);
    }
    if (draft.id !== undefined && this.remember(draft.to, draft.id, message.sentAt)) return Promise.resolve(structuredClone(message));
    let inbox = this.inboxes.get(draft.to);
    if (inbox === undefined) this.inboxes.set(draft.to, (inbox = []));
    inbox.push(message);
    return Promise.resolve(structuredClone(message));
  }

  receive(agentId: string, options: ReceiveOptions = {}): Promise<MailboxMessage[]> {
    try {
      validateMessageNames('Mailbox.receive', { agentId });
    } catch (error) {
      return Promise.reject(error);
    }
    const inbox = this.inboxes.get(agentId);
    if (inbox === undefined) return Promise.resolve([]);
    const limit = options.limit ?? Infinity;
    const taken = limit >= inbox.length ? inbox.splice(0) : inbox.splice(0, Math.max(0, limit));
    if (inbox.length === 0) this.inboxes.delete(agentId);
    return Promise.resolve(taken);
  }

  pending(agentId: string): Promise<number> {
    try {
      validateMessageNames('Mailbox.pending', { agentId });
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve(this.inboxes.get(agentId)?.length ?? 0);
  }

  publish<TPayload>(draft: MessageDraft<TPayload>): Promise<MailboxMessage<TPayload>> {
    let message: MailboxMessage<TPayload>;
    try {
      message = this.stamp(draft, undefined, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
    const listeners = this.subscribers.get(draft.type);
    if (listeners !== undefined) {
      for (const listener of listeners) {
        try {
          const result = listener(structuredClone(message));
          if (result !== undefined && typeof (result as Promise<void>).then === 'function') (result as Promise<void>).then(undefined, reportError);
        } catch (error) {
          reportError(error);
        }
      }
    }
    return Promise.resolve(structuredClone(message));
  }

  subscribe(type: string, listener: MessageListener): Promise<Disposable> {
    try {
      validateMessageNames('Mailbox.subscribe', { type });
    } catch (error) {
      return Promise.reject(error);
    }
    const wrapped: MessageListener = (message) => listener(message);
    this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), wrapped]);
    return Promise.resolve(
      toDisposable(() => {
        const remaining = (this.subscribers.get(type) ?? []).filter((candidate) => candidate !== wrapped);
        if (remaining.length === 0) this.subscribers.delete(type);
        else this.subscribers.set(type, remaining);
      }),
    );
  }

  /** Records a sender's id; true when it was already sent to this inbox within the window. */
  private remember(to: string, id: string, now: number): boolean {
    let ids = this.sentIds.get(to);
    if (ids === undefined) this.sentIds.set(to, (ids = new Map()));
    // Ids expire in insertion order (the clock only moves forward): forget from the oldest.
    for (const [oldId, forgetAt] of ids) {
      if (forgetAt > now) break;
      ids.delete(oldId);
    }
    if (ids.has(id)) return true;
    ids.set(id, now + this.deduplicationWindowMs);
    return false;
  }

  private stamp<TPayload>(draft: MessageDraft<TPayload>, to: string | undefined, id: string | undefined): MailboxMessage<TPayload> {
    if (typeof draft !== 'object' || draft === null) throw new InvalidInputError('Mailbox', `message must be an object (got ${describeValue(draft)})`);
    if (typeof draft.type !== 'string' || draft.type.length === 0) throw new InvalidInputError('Mailbox', `message "type" must be a non-empty string (got ${describeValue(draft.type)})`);
    if (typeof draft.from !== 'string' || draft.from.length === 0) throw new InvalidInputError('Mailbox', `message "from" must be a non-empty agent id (got ${describeValue(draft.from)})`);
    validateMessageNames('Mailbox', { from: draft.from, type: draft.type });
    return {
      id: id ?? generateId(),
      type: draft.type,
      from: draft.from,
      ...(to === undefined ? {} : { to }),
      // The network mailbox's rule (JSON): both deliver the same payloads and refuse the same.
      payload: draft.payload === undefined ? draft.payload : copyPlainData('Mailbox', 'payload', draft.payload),
      sentAt: Math.floor(this.clock.now()),
      ...(draft.correlationId === undefined ? {} : { correlationId: draft.correlationId }),
    };
  }
}
