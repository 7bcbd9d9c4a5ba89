import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InvalidOptionsError, assertDuration, sleep, systemClock, type Clock } from '@tta/primitives';
import { resolveConnection, validatePrefix, type RedisStoreOptions } from './connection.js';
import { closeClient, guard, LuaScript } from './redis-call.js';
import { LeaseLostError } from './errors/lease-lost-error.js';
import { LeaseTimeoutError } from './errors/lease-timeout-error.js';
import { assertCallOptions, assertOptionsObject } from './validate-options.js';

const releaseScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

const extendScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

/** Options of {@link RedisLease}. */
export interface RedisLeaseOptions extends RedisStoreOptions {
  /** What the lease protects; the key is `<prefix>lease:<resource>`. */
  readonly resource: string;
  /**
   * How long a lease lasts unless extended; a crashed holder blocks others at most this long.
   * Whole milliseconds up to `Number.MAX_SAFE_INTEGER` (Redis takes integers only).
   * @default 30_000
   */
  readonly ttlMs?: number;
  /** Pause between attempts while `acquire` waits for the holder to let go. @default 50 */
  readonly retryDelayMs?: number;
  /** Clock for waiting and renewals. @default systemClock */
  readonly clock?: Clock;
}

/** Options of {@link RedisLease.acquire}. */
export interface LeaseAcquireOptions {
  /** Longest wait for the lease; then `LeaseTimeoutError`. `Infinity` waits until the lease is free. @default 10_000 */
  readonly waitMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * A lock with expiry shared by every process that uses the same Redis and key: at most one holder
 * at a time, identified by a random token. Release and extend check the token on the server
 * (Lua), so a holder whose lease expired cannot free or prolong somebody else's.
 *
 * @example
 * const lease = new RedisLease({ connection: redis, resource: 'nightly-reindex', ttlMs: 10_000 });
 * await lease.runExclusive(async (signal) => reindex({ signal }));
 */
export class RedisLease {
  /** The leased resource. */
  readonly resource: string;
  /** The full Redis key. */
  readonly key: string;
  /** Default lease length. */
  readonly ttlMs: number;
  private readonly client: Redis;
  private readonly owned: boolean;
  private readonly retryDelayMs: number;
  private readonly clock: Clock;

  constructor(options: RedisLeaseOptions) {
    assertOptionsObject('RedisLease', options);
    if (typeof options.resource !== 'string' || options.resource.length === 0) {
      throw new InvalidOptionsError('RedisLease', 'resource', 'must be a non-empty string');
    }
    const ttlMs = options.ttlMs ?? 30_000;
    assertDuration('RedisLease', 'ttlMs', ttlMs, { integer: true, positive: true });
    const retryDelayMs = options.retryDelayMs ?? 50;
    assertDuration('RedisLease', 'retryDelayMs', retryDelayMs);
    const prefix = validatePrefix('RedisLease', options.prefix);
    this.resource = options.resource;
    this.key = `${prefix}lease:${options.resource}`;
    this.ttlMs = ttlMs;
    this.retryDelayMs = retryDelayMs;
    this.clock = options.clock ?? systemClock;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  /** Takes the lease if it is free; resolves to the holder's token, or `undefined` when it is held. */
  async tryAcquire(ttlMs: number = this.ttlMs): Promise<string | undefined> {
    // Checked here, not by Redis: a fraction or 1e300 would come back as an untyped reply error.
    assertDuration('RedisLease.tryAcquire', 'ttlMs', ttlMs, { integer: true, positive: true });
    const token = randomUUID();
    const reply = await guard('RedisLease.tryAcquire', () => this.client.set(this.key, token, 'PX', ttlMs, 'NX'));
    return reply === 'OK' ? token : undefined;
  }

  /** Waits until the lease is free and takes it; rejects with `LeaseTimeoutError` after `waitMs`. */
  async acquire(options: LeaseAcquireOptions = {}): Promise<string> {
    assertCallOptions('RedisLease.acquire', 'options', options);
    const waitMs = options.waitMs ?? 10_000;
    // NaN would never time out and a negative wait would never try: both are refused.
    assertDuration('RedisLease.acquire', 'waitMs', waitMs, { infinity: true });
    const started = this.clock.now();
    for (;;) {
      options.signal?.throwIfAborted();
      const token = await this.tryAcquire();
      if (token !== undefined) return token;
      const waited = this.clock.now() - started;
      if (waited >= waitMs) throw new LeaseTimeoutError(this.resource, waitMs);
      // Never past the wait: a retry delay longer than what is left would outlast waitMs.
      await sleep(Math.min(this.retryDelayMs, waitMs - waited), options.signal, this.clock);
    }
  }

  /** Gives the lease back; false when `token` no longer holds it (it expired, or never did). */
  async release(token: string): Promise<boolean> {
    const reply = await guard('RedisLease.release', () => releaseScript.run(this.client, [this.key], [token]));
    return reply === 1;
  }

  /** Sets the remaining time of a held lease to `ttlMs`; false when `token` no longer holds it. */
  async extend(token: string, ttlMs: number = this.ttlMs): Promise<boolean> {
    assertDuration('RedisLease.extend', 'ttlMs', ttlMs, { integer: true, positive: true });
    const reply = await guard('RedisLease.extend', () => extendScript.run(this.client, [this.key], [token, ttlMs]));
    return reply === 1;
  }

  /** True when `token` holds the lease right now. */
  async isHeld(token: string): Promise<boolean> {
    return (await guard('RedisLease.isHeld', () => this.client.get(this.key))) === token;
  }

  /**
   * Acquires the lease, runs `work`, and releases it, extending it every `ttlMs / 3` meanwhile.
   * When an extension fails (the lease expired or Redis was out of reach), `work`'s signal aborts
   * with `LeaseLostError`: stop writing, somebody else may hold the lease now.
   */
  async runExclusive<T>(work: (signal: AbortSignal) => Promise<T>, options: LeaseAcquireOptions = {}): Promise<T> {
    const token = await this.acquire(options);
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: unknown;
    let stopped = false;
    const renew = (): void => {
      timer = this.clock.setTimeout(() => {
        this.extend(token).then(
          (held) => {
            if (stopped) return;
            if (held) renew();
            else controller.abort(new LeaseLostError(this.resource));
          },
          (error: unknown) => {
            if (!stopped) controller.abort(new LeaseLostError(this.resource, { cause: error }));
          },
        );
      }, Math.max(1, Math.floor(this.ttlMs / 3)));
    };
    renew();
    try {
      return await work(controller.signal);
    } finally {
      stopped = true;
      this.clock.clearTimeout(timer);
      options.signal?.removeEventListener('abort', onOuterAbort);
      // A failed release only means the lease expires on its own after ttlMs.
      await this.release(token).catch(() => false);
    }
  }

  /** Closes the connection when the lease created it. */
  async close(): Promise<void> {
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
