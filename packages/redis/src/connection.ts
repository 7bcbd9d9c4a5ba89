import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
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

/**
 * How to reach a Redis Cluster: the URLs of some of its nodes (the client discovers the rest) and the
 * same fail-fast options as a single server. Every node gets the command timeout and retry limits;
 * `db` does not exist on a cluster.
 *
 * @example
 * ```ts
 * const cache = new RedisCacheStore({ connection: { cluster: ['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379'] } });
 * ```
 */
export interface RedisClusterConnectionOptions extends Omit<RedisConnectionOptions, 'url' | 'host' | 'port' | 'db' | 'redisOptions'> {
  /** `redis://host:port` (or `rediss://`) of one or more nodes; credentials and TLS in the first URL apply to all. */
  readonly cluster: readonly string[];
  /** Extra ioredis options for every node, applied last (escape hatch). */
  readonly redisOptions?: Readonly<RedisOptions>;
  /** Extra ioredis `Cluster` options, applied last (escape hatch). */
  readonly clusterOptions?: Readonly<ClusterOptions>;
}

/** An ioredis client: one server (`Redis`) or a Redis Cluster (`Cluster`). */
export type RedisClient = Redis | Cluster;

/**
 * Either an ioredis `Redis` or `Cluster` client you own (it is never closed for you), or options to
 * create one (owned and closed by the store).
 */
export type RedisConnection = Redis | Cluster | RedisConnectionOptions | RedisClusterConnectionOptions;

/** Options every Redis store accepts. */
export interface RedisStoreOptions {
  /** An existing ioredis `Redis` or `Cluster` client, or options for a new one (owned and closed by the store). @default {} (127.0.0.1:6379) */
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
 * Creates an ioredis client with the toolkit's defaults (see {@link RedisConnectionOptions}): a
 * `Redis` for one server, or a `Cluster` for {@link RedisClusterConnectionOptions}.
 * The caller owns it: `await client.quit()` when done.
 *
 * @example
 * ```ts
 * const redis = createRedisConnection({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', commandTimeoutMs: 1_000 });
 * const cache = new RedisCacheStore({ connection: redis, prefix: 'shop:' });
 * const cluster = createRedisConnection({ cluster: ['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379'] });
 * const limiter = new RedisRateLimiter({ connection: cluster, tokensPerInterval: 10, intervalMs: 1_000, burst: 10 });
 * ```
 */
export function createRedisConnection(options?: RedisConnectionOptions): Redis;
export function createRedisConnection(options: RedisClusterConnectionOptions): Cluster;
export function createRedisConnection(options: RedisConnectionOptions | RedisClusterConnectionOptions): RedisClient;
export function createRedisConnection(options: RedisConnectionOptions | RedisClusterConnectionOptions = {}): RedisClient {
  const client = isClusterOptions(options) ? new Cluster(...toIoredisClusterOptions(options)) : new Redis(toIoredisOptions(options));
  // Without a listener ioredis prints every failed reconnect; failures surface as typed errors instead.
  client.on('error', ignore);
  return client;
}

/**
 * Builds the startup nodes and ioredis `Cluster` options for {@link RedisClusterConnectionOptions}: every
 * node connection gets the bounds of {@link toIoredisOptions}; a command whose node is down fails
 * within about the command timeout instead of waiting for the cluster to heal.
 */
export function toIoredisClusterOptions(options: RedisClusterConnectionOptions): [startupNodes: { host: string; port: number }[], options: ClusterOptions] {
  const kind = 'RedisConnection';
  const { cluster: urls, clusterOptions, redisOptions, ...nodeOptions } = options;
  assertOptionsObject(kind, options, ['cluster', 'clusterOptions', ...CONNECTION_OPTION_NAMES.filter((name) => !['url', 'host', 'port', 'db'].includes(name))]);
  if (!Array.isArray(urls) || urls.length === 0) throw new InvalidOptionsError(kind, 'cluster', `must be a non-empty array of redis:// URLs (got ${describeValue(urls)})`);
  const parsed = urls.map((url: unknown) => {
    if (typeof url !== 'string') throw new InvalidOptionsError(kind, 'cluster', `must hold redis:// URLs (got ${describeValue(url)})`);
    const result = parseRedisUrl(url);
    if (result.db !== undefined && result.db !== 0) throw new InvalidOptionsError(kind, 'cluster', `has a database number in "${url}": a cluster has only database 0`);
    return result;
  });
  const { host: _host, port: _port, db: _db, retryStrategy, ...perNode } = { ...toIoredisOptions(nodeOptions), ...parsed[0], ...definedOnly(nodeOptions), ...redisOptions };
  const startupNodes = parsed.map((node) => ({ host: node.host ?? '127.0.0.1', port: node.port ?? 6379 }));
  return [
    startupNodes,
    {
      redisOptions: perNode,
      clusterRetryStrategy: (times) => retryStrategy?.(times) as number,
      // A dead master makes its node's commands fail with "Connection is closed"; ioredis retries them
      // every `retryDelayOnFailover` up to `maxRedirections` times. Bounded so that the whole wait stays
      // near the command timeout rather than the default 16 x 100 ms.
      retryDelayOnFailover: 100,
      maxRedirections: 6,
      retryDelayOnClusterDown: 100,
      slotsRefreshTimeout: perNode.connectTimeout ?? 2_000,
      ...clusterOptions,
    },
  ];
}

/** Credentials and TLS given as fields win over the ones in the URL (as for one server). */
function definedOnly(options: Omit<RedisClusterConnectionOptions, 'cluster' | 'clusterOptions' | 'redisOptions'>): RedisOptions {
  const result: RedisOptions = {};
  if (options.username !== undefined) result.username = options.username;
  if (options.password !== undefined) result.password = options.password;
  if (options.connectionName !== undefined) result.connectionName = options.connectionName;
  if (options.tls === false) result.tls = undefined;
  else if (options.tls !== undefined) result.tls = options.tls === true ? {} : { ...options.tls };
  return result;
}

/** @internal True for `{ cluster: [...] }` options (not a client). */
export function isClusterOptions(value: unknown): value is RedisClusterConnectionOptions {
  return typeof value === 'object' && value !== null && 'cluster' in value && !isRedisLike(value);
}

/** @internal True for an ioredis `Cluster` client (also one from another copy of ioredis). */
export function isClusterClient(client: RedisClient): client is Cluster {
  return client instanceof Cluster || (client as { isCluster?: unknown }).isCluster === true;
}

const ignore = (): void => {};

/** @internal The per-command time limit of a client (`0`: none), for calls made on connections without one. */
export function commandTimeoutOf(client: RedisClient): number {
  return (isClusterClient(client) ? client.options.redisOptions?.commandTimeout : client.options.commandTimeout) ?? 0;
}

/** @internal A client and whether this package created it (and so must close it). */
export interface ResolvedConnection {
  readonly client: RedisClient;
  readonly owned: boolean;
}

/** @internal Uses the given client, or creates one from options. */
export function resolveConnection(connection: RedisConnection | undefined): ResolvedConnection {
  if (connection instanceof Redis || connection instanceof Cluster) return { client: connection, owned: false };
  if (isRedisLike(connection)) return { client: connection as RedisClient, owned: false };
  return { client: createRedisConnection((connection ?? {}) as RedisConnectionOptions | RedisClusterConnectionOptions), owned: true };
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

const CONNECTION_OPTION_NAMES = [
  ...['url', 'host', 'port', 'username', 'password', 'db', 'tls', 'connectionName'] as const,
  ...['connectTimeoutMs', 'commandTimeoutMs', 'maxRetriesPerRequest', 'maxReconnectDelayMs', 'redisOptions'] as const,
] satisfies (keyof RedisConnectionOptions)[];

function validateConnectionOptions(options: RedisConnectionOptions): void {
  const kind = 'RedisConnection';
  assertOptionsObject(kind, options, CONNECTION_OPTION_NAMES);
  for (const name of ['connectTimeoutMs', 'commandTimeoutMs', 'maxRetriesPerRequest', 'maxReconnectDelayMs'] as const) {
    const value = options[name];
    if (value !== undefined) requireNumber(kind, name, value);
  }
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65_535)) {
    throw new InvalidOptionsError(kind, 'port', `must be an integer between 1 and 65535 (got ${describeValue(options.port)})`);
  }
}
