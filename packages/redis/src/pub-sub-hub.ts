import type { RedisClient } from './connection.js';
import type { Disposable } from '@tta/primitives';
import { toDisposable } from '@tta/primitives/instrumentation';
import { guard } from './redis-call.js';

type Handler = (message: string) => void;

/**
 * @internal One subscriber connection (a duplicate of the store's client, made on first use) shared
 * by every subscription of a store. A channel is subscribed on the server while it has at least
 * one handler. ioredis resubscribes by itself after a reconnect; messages published while the
 * connection was down are lost (Redis pub/sub is at-most-once).
 */
export class PubSubHub {
  private subscriber: RedisClient | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly owner: string,
  ) {}

  /** Calls `handler` with every message on `channel`; resolves once the server confirmed. */
  async subscribe(channel: string, handler: Handler): Promise<Disposable> {
    if (this.closed) throw new Error(`${this.owner}: subscribe after close`);
    const subscriber = this.connection();
    let set = this.handlers.get(channel);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(handler);
    try {
      // Subscribing again to a channel already subscribed is harmless and confirms it is active.
      await guard(`${this.owner}.subscribe`, () => subscriber.subscribe(channel));
    } catch (error) {
      this.remove(channel, handler);
      throw error;
    }
    return toDisposable(() => this.remove(channel, handler));
  }

  /** Closes the subscriber connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.handlers.clear();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    subscriber.disconnect();
  }

  private connection(): RedisClient {
    if (this.subscriber !== undefined) return this.subscriber;
    const subscriber = this.client.duplicate();
    subscriber.on('error', () => {});
    subscriber.on('message', (channel: string, message: string) => {
      const set = this.handlers.get(channel);
      if (set === undefined) return;
      for (const handler of [...set]) handler(message);
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private remove(channel: string, handler: Handler): void {
    const set = this.handlers.get(channel);
    if (set === undefined || !set.delete(handler) || set.size > 0) return;
    this.handlers.delete(channel);
    // Best effort: a failed unsubscribe only leaves messages that no handler receives.
    this.subscriber?.unsubscribe(channel).catch(() => {});
  }
}

/** @internal Reports a listener's failure without disturbing the caller (as the core does). */
export function reportListenerFailure(error: unknown): void {
  queueMicrotask(() => {
    if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
    else console.error('@tta/redis: a listener threw', error);
  });
}
