import { Redis, type RedisOptions } from 'ioredis';
import { InvalidOptionsError } from '@tta/primitives';
import { describeValue, requireNumber } from '@tta/primitives/instrumentation';
import { assertOptionsObject } from './validate-options.js';

/**
 * How to reach Redis. Defaults favour failing fast over waiting forever: a command that cannot be
 * served within `commandTimeoutMs` (server down, network cut) rejects, and the stores turn that
 * into a `RedisUnavailableError`. The client keeps reconnecting in the background, so calls
 * succeed again as soon as the server is back.
 */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://...`; fields below override its parts. */
  readonly url?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 6379 */
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  /** Database number. @default 0 */
  readonly db?: number;
  /** TLS options (`true` for defaults), passed to `tls.connect`. */
  readonly tls?: boolean | Readonly<Record<string, unknown>>;
  /** Name shown by `CLIENT LIST`. */
  readonly connectionName?: string;
  /** Time allowed to open the TCP connection. @default 2_000 */
  readonly connectTimeoutMs?: number;
  /**
   * Time allowed for one command, including the time it waits for a reconnect; after it the
   * command fails. `0` disables the limit (not recommended).
   * @default 2_000
   */
  readonly commandTimeoutMs?: number;
  /**
   * Reconnect attempts a command may wait through before it fails.
   * @default 1
   */
  readonly maxRetriesPerRequest?: number;
  /** Longest pause between reconnect attempts (they back off from 50 ms). @default 1_000 */
  readonly maxReconnectDelayMs?: number;
  /** Extra ioredis options, applied last (escape hatch). */
  readonly redisOptions?: Readonly<RedisOptions>;
}

/** Either an ioredis client you own (it is never closed for you) or options to create one. */
export type RedisConnection = Redis | RedisConnectionOptions;

/** Options every Redis store accepts. */
export interface RedisStoreOptions {
  /** An existing ioredis client, or options for a new one (owned and closed by the store). @default {} (127.0.0.1:6379) */
  readonly connection?: RedisConnection;
  /**
   * Prepended to every key the store writes, so several applications (or tests) share a server.
   * @default 'tta:'
   */
  readonly prefix?: string;
}

/** Default key prefix. */
export const DEFAULT_PREFIX = 'tta:';

/**
 * Builds the ioredis options for {@link RedisConnectionOptions}: bounded connect and command
 * times, few retries per command, and reconnecting in the background.
 */
export function toIoredisOptions(options: RedisConnectionOptions = {}): RedisOptions {
  validateConnectionOptions(options);
  const maxDelay = options.maxReconnectDelayMs ?? 1_000;
  const commandTimeout = options.commandTimeoutMs ?? 2_000;
  const result: RedisOptions = {
    host: '127.0.0.1',
    port: 6379,
    ...(options.url === undefined ? {} : parseRedisUrl(options.url)),
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 1,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 10), maxDelay),
    // A command whose connection dropped mid-call may already have run: sending it again on the new
    // connection would apply it twice (a set bumps the version twice, a release reports false).
    // It fails instead, as a "maybe applied" RedisUnavailableError the caller can retry by its id.
    autoResendUnfulfilledCommands: false,
  };
  if (commandTimeout > 0) result.commandTimeout = commandTimeout;
  if (options.host !== undefined) result.host = options.host;
  if (options.port !== undefined) result.port = options.port;
  if (options.username !== undefined) result.username = options.username;
  if (options.password !== undefined) result.password = options.password;
  if (options.db !== undefined) result.db = options.db;
  if (options.connectionName !== undefined) result.connectionName = options.connectionName;
  if (options.tls === false) delete result.tls;
  else if (options.tls !== undefined) result.tls = options.tls === true ? {} : { ...options.tls };
  return { ...result, ...options.redisOptions };
}

/** Host, port, credentials, database and TLS from a `redis://` or `rediss://` URL. */
function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionsError('RedisConnection', 'url', `must be a redis:// or rediss:// URL${typeof url === 'string' ? '' : ` (got ${describeValue(url)})`}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new InvalidOptionsError('RedisConnection', 'url', `must use redis:// or rediss:// (got "${parsed.protocol}")`);
  }
  const result: RedisOptions = {};
  if (parsed.hostname !== '') result.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (parsed.port !== '') result.port = Number(parsed.port);
  if (parsed.username !== '') result.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') result.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '') {
    const number = Number(db);
    if (!Number.isInteger(number) || number < 0) throw new InvalidOptionsError('RedisConnection', 'url', `has an invalid database "${db}"`);
    result.db = number;
  }
  if (parsed.protocol === 'rediss:') result.tls = {};
  return result;
}

/**
 * Creates an ioredis client with the toolkit's defaults (see {@link RedisConnectionOptions}).
 * The caller owns it: `await client.quit()` when done.
 *
 * @example
 * ```ts
 * const redis = createRedisConnection({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', commandTimeoutMs: 1_000 });
 * const cache = new RedisCacheStore({ connection: redis, prefix: 'shop:' });
 * ```
 */
export function createRedisConnection(options: RedisConnectionOptions = {}): Redis {
  const client = new Redis(toIoredisOptions(options));
  // Without a listener ioredis prints every failed reconnect; failures surface as typed errors instead.
  client.on('error', ignore);
  return client;
}

const ignore = (): void => {};

/** @internal A client and whether this package created it (and so must close it). */
export interface ResolvedConnection {
  readonly client: Redis;
  readonly owned: boolean;
}

/** @internal Uses the given client, or creates one from options. */
export function resolveConnection(connection: RedisConnection | undefined): ResolvedConnection {
  if (connection instanceof Redis) return { client: connection, owned: false };
  if (isRedisLike(connection)) return { client: connection as Redis, owned: false };
  return { client: createRedisConnection(connection ?? {}), owned: true };
}

function isRedisLike(value: unknown): boolean {
  // A client from another copy of ioredis fails `instanceof`; accept anything that quacks.
  return typeof value === 'object' && value !== null && typeof (value as { evalsha?: unknown }).evalsha === 'function' && typeof (value as { duplicate?: unknown }).duplicate === 'function';
}

/** @internal Validates a key prefix. */
export function validatePrefix(kind: string, prefix: unknown): string {
  if (prefix === undefined) return DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new InvalidOptionsError(kind, 'prefix', `must be a string (got ${describeValue(prefix)})`);
  if (/[*?[\]\s]/.test(prefix)) throw new InvalidOptionsError(kind, 'prefix', 'must not contain glob characters (* ? [ ]) or spaces');
  // The first brace of a key must be the layout's own hash tag (see key-layout.ts).
  if (/[{}]/.test(prefix)) throw new InvalidOptionsError(kind, 'prefix', 'must not contain braces ({ }): every store adds its own hash tag');
  return prefix;
}

function validateConnectionOptions(options: RedisConnectionOptions): void {
  const kind = 'RedisConnection';
  assertOptionsObject(kind, options, [
    ...['url', 'host', 'port', 'username', 'password', 'db', 'tls', 'connectionName'] as const,
    ...['connectTimeoutMs', 'commandTimeoutMs', 'maxRetriesPerRequest', 'maxReconnectDelayMs', 'redisOptions'] as const,
  ] satisfies (keyof RedisConnectionOptions)[]);
  for (const name of ['connectTimeoutMs', 'commandTimeoutMs', 'maxRetriesPerRequest', 'maxReconnectDelayMs'] as const) {
    const value = options[name];
    if (value !== undefined) requireNumber(kind, name, value);
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65_535)) {
    throw new InvalidOptionsError(kind, 'port', `must be an integer between 1 and 65535 (got ${describeValue(options.port)})`);
  }
}
