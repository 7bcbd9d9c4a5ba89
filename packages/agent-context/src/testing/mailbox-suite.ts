import { describe, it, expect, vi } from 'vitest';
import { ManualClock } from '@tta/primitives/testing';
import type { Mailbox, MailboxMessage } from '../messaging/mailbox.js';

/** What the mailbox contract gives the mailbox factory. */
export interface MailboxContractSetup {
  /** The clock the mailbox must use for `sentAt`. */
  readonly clock: ManualClock;
}

const eventually = (assertion: () => void): Promise<void> => vi.waitFor(assertion, { timeout: 5_000, interval: 5 });

let sequence = 0;
const unique = (name: string): string => `${name}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;

/**
 * Declares the behaviour every {@link Mailbox} must have, as a vitest `describe` block. The factory
 * makes a fresh mailbox on the given clock.
 *
 * @example
 * ```ts
 * describeMailboxContract('InMemoryMailbox', async ({ clock }) => new InMemoryMailbox({ clock }));
 * ```
 */
export function describeMailboxContract(
  name: string,
  createMailbox: (setup: MailboxContractSetup) => Promise<Mailbox>,
  cleanup?: (mailbox: Mailbox) => Promise<void>,
): void {
  describe(`${name} (Mailbox contract)`, () => {
    const withMailbox = (test: (mailbox: Mailbox, clock: ManualClock) => Promise<void>) => async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const mailbox = await createMailbox({ clock });
      try {
        await test(mailbox, clock);
      } finally {
        await cleanup?.(mailbox);
      }
    };

    it('stamps sentAt in whole epoch milliseconds, even when the clock reads a fraction', withMailbox(async (mailbox, clock) => {
      clock.advance(0.75);
      const coder = unique('coder');
      const sent = await mailbox.send({ type: 'task', from: 'planner', to: coder, payload: 1 });
      expect(sent.sentAt).toBe(Math.floor(clock.now()));
      expect((await mailbox.receive(coder)).map((message) => message.sentAt)).toEqual([sent.sentAt]);
    }));

    it('delivers direct messages to the inbox in sending order, each received once', withMailbox(async (mailbox, clock) => {
      const coder = unique('coder');
      const first = await mailbox.send({ type: 'task', from: 'planner', to: coder, payload: { n: 1 }, correlationId: 'run-1' });
      expect(first).toMatchObject({ type: 'task', from: 'planner', to: coder, payload: { n: 1 }, correlationId: 'run-1', sentAt: clock.now() });
      await mailbox.send({ type: 'task', from: 'planner', to: coder, payload: { n: 2 } });
      expect(await mailbox.pending(coder)).toBe(2);
      const received = await mailbox.receive(coder);
      expect(received.map((message) => message.payload)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(received[0]).toEqual(first);
      expect(await mailbox.pending(coder)).toBe(0);
      expect(await mailbox.receive(coder)).toEqual([]);
    }));

    it('gives every message its own id', withMailbox(async (mailbox) => {
      const to = unique('agent');
      const ids = new Set<string>();
      for (let index = 0; index < 20; index++) ids.add((await mailbox.send({ type: 't', from: 'x', to, payload: index })).id);
      expect(ids.size).toBe(20);
    }));

    it('takes at most `limit` messages and leaves the rest waiting', withMailbox(async (mailbox) => {
      const to = unique('agent');
      for (let index = 0; index < 5; index++) await mailbox.send({ type: 't', from: 'x', to, payload: index });
      expect((await mailbox.receive(to, { limit: 2 })).map((message) => message.payload)).toEqual([0, 1]);
      expect(await mailbox.pending(to)).toBe(3);
      expect((await mailbox.receive(to)).map((message) => message.payload)).toEqual([2, 3, 4]);
    }));

    it('queues a message sent twice with the same id once, even after it was received', withMailbox(async (mailbox) => {
      const to = unique('agent');
      const first = await mailbox.send({ id: 'order-1', type: 't', from: 'x', to, payload: 'first' });
      expect(first.id).toBe('order-1');
      const retried = await mailbox.send({ id: 'order-1', type: 't', from: 'x', to, payload: 'first' });
      expect(retried.id).toBe('order-1');
      expect(await mailbox.pending(to)).toBe(1);
      expect(await mailbox.receive(to)).toEqual([first]);
      await mailbox.send({ id: 'order-1', type: 't', from: 'x', to, payload: 'first' });
      expect(await mailbox.pending(to)).toBe(0);
      await mailbox.send({ id: 'order-2', type: 't', from: 'x', to, payload: 'second' });
      await mailbox.send({ id: 'order-1', type: 't', from: 'x', to: `${to}-other`, payload: 'elsewhere' });
      expect((await mailbox.receive(to)).map((message) => message.payload)).toEqual(['second']);
      expect((await mailbox.receive(`${to}-other`)).map((message) => message.payload)).toEqual(['elsewhere']);
    }));

    it('forgets a message id after the deduplication window (one hour by default)', withMailbox(async (mailbox, clock) => {
      const to = unique('agent');
      await mailbox.send({ id: 'ping', type: 't', from: 'x', to, payload: 1 });
      clock.advance(3_599_999);
      await mailbox.send({ id: 'ping', type: 't', from: 'x', to, payload: 2 });
      clock.advance(1);
      await mailbox.send({ id: 'ping', type: 't', from: 'x', to, payload: 3 });
      expect((await mailbox.receive(to)).map((message) => message.payload)).toEqual([1, 3]);
    }));

    it('refuses a message id that is empty, too long or not a string, queueing nothing', withMailbox(async (mailbox) => {
      const to = unique('agent');
      for (const id of ['', 'x'.repeat(257), 42]) {
        const draft = { id, type: 't', from: 'x', to, payload: 1 } as unknown as Parameters<Mailbox['send']>[0];
        await expect(mailbox.send(draft)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      }
      await mailbox.send({ id: 'x'.repeat(256), type: 't', from: 'x', to, payload: 1 });
      expect(await mailbox.pending(to)).toBe(1);
    }));

    it('keeps inboxes apart', withMailbox(async (mailbox) => {
      const alice = unique('alice');
      const bob = unique('bob');
      await mailbox.send({ type: 't', from: 'x', to: alice, payload: 'for alice' });
      expect(await mailbox.receive(bob)).toEqual([]);
      expect((await mailbox.receive(alice)).map((message) => message.payload)).toEqual(['for alice']);
    }));

    it('hands the receiver a copy of the payload', withMailbox(async (mailbox) => {
      const to = unique('agent');
      const payload = { list: [1] };
      await mailbox.send({ type: 't', from: 'x', to, payload });
      payload.list.push(2);
      const [message] = await mailbox.receive(to);
      expect(message?.payload).toEqual({ list: [1] });
    }));

    it('publishes to every current subscriber of the type, and to no other type', withMailbox(async (mailbox) => {
      const type = unique('status');
      const first: MailboxMessage[] = [];
      const second: MailboxMessage[] = [];
      const other: MailboxMessage[] = [];
      const subscriptions = [
        await mailbox.subscribe(type, (message) => void first.push(message)),
        await mailbox.subscribe(type, (message) => void second.push(message)),
        await mailbox.subscribe(`${type}-other`, (message) => void other.push(message)),
      ];
      const published = await mailbox.publish({ type, from: 'monitor', payload: { healthy: true }, correlationId: 'run-9' });
      expect(published).toMatchObject({ type, from: 'monitor', payload: { healthy: true }, correlationId: 'run-9' });
      expect(published.to).toBeUndefined();
      await eventually(() => expect(first).toHaveLength(1));
      await eventually(() => expect(second).toHaveLength(1));
      expect(first[0]).toEqual(published);
      expect(other).toEqual([]);
      for (const subscription of subscriptions) subscription.dispose();
    }));

    it('delivers published messages in publishing order', withMailbox(async (mailbox) => {
      const type = unique('tick');
      const seen: unknown[] = [];
      const subscription = await mailbox.subscribe(type, (message) => void seen.push(message.payload));
      for (let index = 0; index < 10; index++) await mailbox.publish({ type, from: 'clock', payload: index });
      await eventually(() => expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
      subscription.dispose();
    }));

    it('stops delivering to a disposed subscription', withMailbox(async (mailbox) => {
      const type = unique('event');
      const disposed: unknown[] = [];
      const kept: unknown[] = [];
      const subscription = await mailbox.subscribe(type, (message) => void disposed.push(message.payload));
      const witness = await mailbox.subscribe(type, (message) => void kept.push(message.payload));
      await mailbox.publish({ type, from: 'x', payload: 1 });
      await eventually(() => expect(disposed).toEqual([1]));
      subscription.dispose();
      await mailbox.publish({ type, from: 'x', payload: 2 });
      await eventually(() => expect(kept).toEqual([1, 2]));
      expect(disposed).toEqual([1]);
      witness.dispose();
    }));

    it('publishes with no subscriber without failing, and keeps nothing for later subscribers', withMailbox(async (mailbox) => {
      const type = unique('lonely');
      await mailbox.publish({ type, from: 'x', payload: 'early' });
      const seen: unknown[] = [];
      const subscription = await mailbox.subscribe(type, (message) => void seen.push(message.payload));
      await mailbox.publish({ type, from: 'x', payload: 'late' });
      await eventually(() => expect(seen).toEqual(['late']));
      subscription.dispose();
    }));

    // A network mailbox names inboxes and topics after agent ids and types (UTF-8: every lone
    // surrogate turns into U+FFFD) and carries payloads as JSON: every mailbox refuses what either
    // cannot keep apart or deliver unchanged, typed, before queueing anything.
    const refusal = async (attempt: Promise<unknown>): Promise<unknown> => {
      const outcome = await attempt.then(() => 'accepted', (error: unknown) => error);
      return { code: (outcome as { code?: unknown }).code, retryable: (outcome as { retryable?: unknown }).retryable };
    };
    const invalid = { code: 'INVALID_INPUT', retryable: false };

    it('refuses a lone surrogate in an agent id, type or message id, so no inbox or topic gets another\'s messages', withMailbox(async (mailbox) => {
      const secret = unique('secret');
      const listener = vi.fn();
      for (const half of ['\ud800', '\udfff']) {
        expect(await refusal(mailbox.send({ type: 't', from: 'x', to: `${secret}-${half}`, payload: half }))).toEqual(invalid);
        expect(await refusal(mailbox.send({ type: `t-${half}`, from: 'x', to: secret, payload: 1 }))).toEqual(invalid);
        expect(await refusal(mailbox.send({ type: 't', from: `x-${half}`, to: secret, payload: 1 }))).toEqual(invalid);
        expect(await refusal(mailbox.send({ id: `id-${half}`, type: 't', from: 'x', to: secret, payload: 1 }))).toEqual(invalid);
        expect(await refusal(mailbox.receive(`${secret}-${half}`))).toEqual(invalid);
        expect(await refusal(mailbox.pending(`${secret}-${half}`))).toEqual(invalid);
        expect(await refusal(mailbox.publish({ type: `${secret}-${half}`, from: 'x', payload: 1 }))).toEqual(invalid);
        expect(await refusal(mailbox.subscribe(`${secret}-${half}`, listener))).toEqual(invalid);
      }
      expect(await mailbox.pending(secret)).toBe(0);
      await mailbox.send({ type: 't', from: 'x', to: `${secret}-\ufffd`, payload: 'well-formed' });
      expect((await mailbox.receive(`${secret}-\ufffd`)).map((message) => message.payload)).toEqual(['well-formed']);
    }));

    it('refuses a message without a type or a sender on every mailbox', withMailbox(async (mailbox) => {
      const to = unique('agent');
      expect(await refusal(mailbox.send({ type: 't', to, payload: 1 } as never))).toEqual(invalid);
      expect(await refusal(mailbox.send({ from: 'x', to, payload: 1 } as never))).toEqual(invalid);
      expect(await refusal(mailbox.send({ type: '', from: 'x', to, payload: 1 }))).toEqual(invalid);
      expect(await refusal(mailbox.publish({ type: 't', payload: 1 } as never))).toEqual(invalid);
      expect(await mailbox.pending(to)).toBe(0);
    }));

    it('delivers payloads exactly as a JSON round trip gives them', withMailbox(async (mailbox) => {
      const to = unique('agent');
      const sent = await mailbox.send({ type: 't', from: 'x', to, payload: { n: -0, text: 'cut \ud83d', gone: undefined } });
      const [received] = await mailbox.receive(to);
      for (const message of [sent, received]) expect(message?.payload).toStrictEqual({ n: 0, text: 'cut \ud83d' });
    }));

    it('refuses, typed and before queueing, payloads a JSON round trip would change', withMailbox(async (mailbox) => {
      const to = unique('agent');
      const type = unique('topic');
      const listener = vi.fn();
      const subscription = await mailbox.subscribe(type, listener);
      const refused: [string, unknown][] = [
        ['Date', new Date(0)],
        ['NaN', { score: Number.NaN }],
        ['Map', new Map([['a', 1]])],
        ['BigInt', { count: 1n }],
        ['class instance', new URL('https://example.com')],
      ];
      for (const [name, payload] of refused) {
        expect(await refusal(mailbox.send({ type: 't', from: 'x', to, payload })), name).toEqual(invalid);
        expect(await refusal(mailbox.publish({ type, from: 'x', payload })), name).toEqual(invalid);
      }
      expect(await mailbox.pending(to)).toBe(0);
      await mailbox.publish({ type, from: 'x', payload: 'marker' });
      await eventually(() => expect(listener).toHaveBeenCalledTimes(1));
      subscription.dispose();
    }));
  });
}
