import { randomUUID } from 'node:crypto';
import { InvalidOptionsError } from '@tta/primitives';
import { assertDuration, sleep, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard, LuaScript } from './redis-call.js';
import { storeKey } from './key-layout.js';
import { LeaseLostError } from './errors/lease-lost-error.js';
import { LeaseTimeoutError } from './errors/lease-timeout-error.js';
import { watchLease } from './lease-watch.js';
import { assertCallOptions, assertOptionsObject } from './validate-options.js';

const releaseScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

const extendScript = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

/**
 * How much earlier than Redis a holder counts its lease as expired: the two clocks may run at
 * slightly different rates and a local timer may fire late (Redlock's allowance: 1% + 2 ms).
 */
function clockDriftMs(ttlMs: number): number {
  return Math.floor(ttlMs * 0.01) + 2;
}

/** Options of {@link RedisLease}. */
export interface RedisLeaseOptions extends RedisStoreOptions {
  /** What the lease protects; the key is `<prefix>lease:{<resource>}` (escaped, see the key layout). */
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
 * <!-- snippet-prelude: declare function reindex(options: { readonly signal: AbortSignal }): Promise<void>; -->
 * ```ts
 * const lease = new RedisLease({ connection: redis, resource: 'nightly-reindex', ttlMs: 10_000 });
 * await lease.runExclusive(async (signal) => reindex({ signal }));
 * ```
 */
export class RedisLease {
  /** The leased resource. */
  readonly resource: string;
  /** The full Redis key. */
  readonly key: string;
  /** Default lease length. */
  readonly ttlMs: number;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly retryDelayMs: number;
  private readonly clock: Clock;

  constructor(options: RedisLeaseOptions) {
    assertOptionsObject('RedisLease', options, ['connection', 'prefix', 'resource', 'ttlMs', 'retryDelayMs', 'clock'] satisfies (keyof RedisLeaseOptions)[]);
    if (typeof options.resource !== 'string' || options.resource.length === 0) {
      throw new InvalidOptionsError('RedisLease', 'resource', 'must be a non-empty string');
    }
    const ttlMs = options.ttlMs ?? 30_000;
    assertDuration('RedisLease', 'ttlMs', ttlMs, { integer: true, positive: true });
    const retryDelayMs = options.retryDelayMs ?? 50;
    assertDuration('RedisLease', 'retryDelayMs', retryDelayMs);
    const prefix = validatePrefix('RedisLease', options.prefix);
    this.resource = options.resource;
    this.key = storeKey(prefix, 'lease', options.resource);
    this.ttlMs = ttlMs;
    this.retryDelayMs = retryDelayMs;
    this.clock = options.clock ?? systemClock;
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  /** Takes the lease if it is free; resolves to the holder's token, or `undefined` when it is held. */
  async tryAcquire(ttlMs: number = this.ttlMs): Promise<string | undefined> {
    return (await this.claim(ttlMs))?.token;
  }

  /** Waits until the lease is free and takes it; rejects with `LeaseTimeoutError` after `waitMs`. */
  async acquire(options: LeaseAcquireOptions = {}): Promise<string> {
    return (await this.claimWaiting(options)).token;
  }

  /**
   * One attempt to take the lease. `expiresBy` is measured from before the command was sent: the
   * server starts the lease's life when the command arrives, later, so the lease lasts at least
   * until then whatever the network delay (less {@link clockDriftMs}).
   */
  private async claim(ttlMs: number): Promise<{ token: string; expiresBy: number } | undefined> {
    // Checked here, not by Redis: a fraction or 1e300 would come back as an untyped reply error.
    assertDuration('RedisLease.tryAcquire', 'ttlMs', ttlMs, { integer: true, positive: true });
    const token = randomUUID();
    const sentAt = this.clock.now();
    const reply = await guard('RedisLease.tryAcquire', () => this.client.set(this.key, token, 'PX', ttlMs, 'NX'));
    return reply === 'OK' ? { token, expiresBy: sentAt + ttlMs - clockDriftMs(ttlMs) } : undefined;
  }

  private async claimWaiting(options: LeaseAcquireOptions): Promise<{ token: string; expiresBy: number }> {
    assertCallOptions('RedisLease.acquire', 'options', options);
    // A typo (`timeoutMs` for `waitMs`) would otherwise wait the default 10 s without a word.
    assertOptionsObject('RedisLease.acquire', options, ['waitMs', 'signal'] satisfies (keyof LeaseAcquireOptions)[]);
    const waitMs = options.waitMs ?? 10_000;
    // NaN would never time out and a negative wait would never try: both are refused.
    assertDuration('RedisLease.acquire', 'waitMs', waitMs, { infinity: true });
    const started = this.clock.now();
    for (;;) {
      options.signal?.throwIfAborted();
      const claimed = await this.claim(this.ttlMs);
      if (claimed !== undefined) return claimed;
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
    return (await this.extendUntil(token, ttlMs)) !== undefined;
  }

  /** Extends, resolving to the local time the lease lasts at least until (see {@link claim}). */
  private async extendUntil(token: string, ttlMs: number): Promise<number | undefined> {
    // 0 or a negative length would make PEXPIRE delete the lease and still answer 1 ("held").
    assertDuration('RedisLease.extend', 'ttlMs', ttlMs, { integer: true, positive: true });
    const sentAt = this.clock.now();
    const reply = await guard('RedisLease.extend', () => extendScript.run(this.client, [this.key], [token, ttlMs]));
    return reply === 1 ? sentAt + ttlMs - clockDriftMs(ttlMs) : undefined;
  }

  /** True when `token` holds the lease right now. */
  async isHeld(token: string): Promise<boolean> {
    return (await guard('RedisLease.isHeld', () => this.client.get(this.key))) === token;
  }

  /**
   * Acquires the lease, runs `work`, and releases it, extending it every `ttlMs / 3` meanwhile.
   * `work`'s signal aborts with `LeaseLostError` when an extension is refused (someone else holds
   * the lease) or fails, and at the latest when the lease's own expiry passes without a confirmed
   * extension, however long Redis takes to answer (a stalled network, `commandTimeoutMs: 0`):
   * stop writing then, another process may take the lease from that moment on. When the lease has
   * already run out by the time it is acquired, `work` does not run and the call rejects with
   * `LeaseLostError`.
   */
  async runExclusive<T>(work: (signal: AbortSignal) => Promise<T>, options: LeaseAcquireOptions = {}): Promise<T> {
    const { token, expiresBy } = await this.claimWaiting(options);
    if (expiresBy <= this.clock.now()) {
      this.releaseInBackground(token);
      throw new LeaseLostError(this.resource);
    }
    const watch = watchLease({
      resource: this.resource,
      renewEveryMs: Math.max(1, Math.floor(this.ttlMs / 3)),
      expiresBy,
      extend: () => this.extendUntil(token, this.ttlMs),
      clock: this.clock,
      signal: options.signal,
    });
    try {
      return await work(watch.signal);
    } finally {
      watch.stop();
      // A lost lease is released without waiting: the connection that lost it may be stalled.
      if (watch.lost) this.releaseInBackground(token);
      // A failed release only means the lease expires on its own after ttlMs.
      else await this.release(token).catch(() => false);
    }
  }

  private releaseInBackground(token: string): void {
    this.release(token).catch(() => false);
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
