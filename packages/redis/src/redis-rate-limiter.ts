import { InvalidInputError, type RateLimitDecision, type RateLimiter } from '@tta/primitives';
import { describeValue, requireNumber, type Clock } from '@tta/primitives/instrumentation';
import { resolveConnection, validatePrefix, type RedisClient, type RedisStoreOptions } from './connection.js';
import { closeClient, guard, LuaScript } from './redis-call.js';
import { storeKey } from './key-layout.js';
import { assertOptionsObject } from './validate-options.js';

// Token bucket, refilled continuously. ARGV: capacity, tokens per ms, permits, now (ms, or -1 for
// the server's TIME, which keeps processes with skewed clocks fair).
const tokenBucket = new LuaScript(`
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local permits = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
-- Whole milliseconds Redis and a JavaScript number both hold exactly (2^53 - 1): a slower rate (an
-- intervalMs of 1e300) would otherwise make PEXPIRE fail and the wait overflow the integer reply.
local maxMs = 9007199254740991
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
elseif now > at then
  tokens = math.min(capacity, tokens + (now - at) * perMs)
  at = now
end
local granted = 0
local retryAfter = 0
if tokens >= permits then
  tokens = tokens - permits
  granted = 1
else
  retryAfter = math.min(math.max(1, math.ceil((permits - tokens) / perMs)), maxMs)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.min(math.ceil((capacity - tokens) / perMs) + 1000, maxMs))
return {granted, retryAfter}`);

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions extends RedisStoreOptions {
  /** Tokens added to each bucket per `intervalMs` (the sustained rate, shared by every process). */
  readonly tokensPerInterval: number;
  /** Length of the refill interval in milliseconds. */
  readonly intervalMs: number;
  /** Capacity of a bucket; a new bucket starts full. @default tokensPerInterval */
  readonly burst?: number;
  /**
   * Source of time. By default the Redis server's own clock is used, so processes whose clocks
   * disagree still share one fair budget; give a clock only for tests.
   * @default the server's TIME
   */
  readonly clock?: Clock;
}

const granted: RateLimitDecision = Object.freeze({ granted: true, retryAfterMs: 0 });

/**
 * A distributed `RateLimiter`: one token bucket per key in Redis, updated atomically by a Lua
 * script, so every process that uses the same server, prefix and key draws from one budget (for
 * example a provider's requests-per-minute limit shared by all instances of a service).
 * A bucket left alone expires once it would be full again.
 *
 * @example
 * ```ts
 * const limiter = new RedisRateLimiter({ connection: redis, tokensPerInterval: 60, intervalMs: 60_000 });
 * const limited = rateLimit(llm, { limiter, key: () => 'openai' });
 * ```
 */
export class RedisRateLimiter implements RateLimiter {
  /** Tokens added per `intervalMs`. */
  readonly tokensPerInterval: number;
  /** Refill interval in milliseconds. */
  readonly intervalMs: number;
  /** Capacity of each bucket. */
  readonly burst: number;
  private readonly client: RedisClient;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly tokensPerMs: number;
  private readonly clock: Clock | undefined;

  constructor(options: RedisRateLimiterOptions) {
    const kind = 'RedisRateLimiter';
    assertOptionsObject(kind, options, ['connection', 'prefix', 'tokensPerInterval', 'intervalMs', 'burst', 'clock'] satisfies (keyof RedisRateLimiterOptions)[]);
    const { tokensPerInterval, intervalMs } = options;
    requireNumber(kind, 'tokensPerInterval', tokensPerInterval, { exclusiveMin: true });
    requireNumber(kind, 'intervalMs', intervalMs, { exclusiveMin: true });
    const burst = options.burst ?? tokensPerInterval;
    requireNumber(kind, 'burst', burst, { min: 1 });
    this.tokensPerInterval = tokensPerInterval;
    this.intervalMs = intervalMs;
    this.burst = burst;
    this.tokensPerMs = tokensPerInterval / intervalMs;
    this.clock = options.clock;
    this.prefix = validatePrefix(kind, options.prefix);
    const { client, owned } = resolveConnection(options.connection);
    this.client = client;
    this.owned = owned;
  }

  async acquire(key: string, permits: number): Promise<RateLimitDecision> {
    if (!(Number.isFinite(permits) && permits >= 1)) {
      throw new InvalidInputError('RedisRateLimiter.acquire', `permits must be a finite number >= 1 (got ${describeValue(permits)})`);
    }
    if (permits > this.burst) return { granted: false, retryAfterMs: Infinity };
    const now = this.clock === undefined ? -1 : this.clock.now();
    const reply = (await guard('RedisRateLimiter.acquire', () =>
      tokenBucket.run(this.client, [this.bucketKey(key)], [this.burst, this.tokensPerMs, permits, now]),
    )) as [number, number];
    return reply[0] === 1 ? granted : { granted: false, retryAfterMs: reply[1] };
  }

  /** Forgets the bucket of `key` (it starts full again). */
  async reset(key: string): Promise<void> {
    await guard('RedisRateLimiter.reset', () => this.client.del(this.bucketKey(key)));
  }

  /** Closes the connection when the limiter created it. */
  async close(): Promise<void> {
    await closeClient(this.client, this.owned);
  }

  /** Same as {@link close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** `<prefix>ratelimit:{<key>}`: the key escaped, so no bucket name reaches another store's keys. */
  private bucketKey(key: string): string {
    return storeKey(this.prefix, 'ratelimit', key);
  }
}
