import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';

// Replies that mean "the server cannot serve this right now" rather than "the command is wrong".
const transientReply = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|READONLY)\b/;

/**
 * @internal Maps a client failure to the toolkit's errors: connection problems and timeouts become
 * {@link RedisUnavailableError}; a genuine error reply of the server (wrong type, script error)
 * is returned as it is.
 */
export function toRedisError(error: unknown, operation: string): unknown {
  if (RedisUnavailableError.isInstance(error)) return error;
  if (error instanceof Error && error.name === 'ReplyError' && !transientReply.test(error.message)) return error;
  return new RedisUnavailableError(operation, { cause: error });
}

/** @internal Runs one client call and maps its failure with {@link toRedisError}. */
export async function guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toRedisError(error, operation);
  }
}

/** @internal A Lua script run with EVALSHA, loaded on demand (NOSCRIPT falls back to EVAL). */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return client.eval(this.source, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}

/** @internal Closes a client the package created; leaves a borrowed one alone. */
export async function closeClient(client: Redis, owned: boolean): Promise<void> {
  if (!owned) return;
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    // The server is gone: drop the socket without waiting for a reply.
    client.disconnect();
  }
}
