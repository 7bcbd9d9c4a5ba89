import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.js';
import { InvalidInputError, TtaError } from '@tta/primitives';
import { RedisUnavailableError } from './errors/redis-unavailable-error.js';

// Replies that mean "the server cannot serve this right now" rather than "the command is wrong".
const transientReply = /^(LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|READONLY)\b/;

// BullMQ's refusals of job options and data, thrown before anything is sent: the same call fails the same way.
const bullmqInputRefusal = /^(Custom Id cannot|Priority should|Delay and repeat|RemoveDependencyOnFailure|Backoff|The size of job|Job data)/;

/**
 * @internal Maps a client failure to the toolkit's errors: connection problems and timeouts become
 * {@link RedisUnavailableError} (retryable); a call refused for its input (a value JSON cannot
 * carry, a malformed name, a BullMQ option out of range) becomes {@link InvalidInputError}
 * (`retryable: false`), so a retry policy does not loop on it; the toolkit's own typed errors and a
 * genuine error reply of the server (wrong type, script error) are returned as they are.
 */
export function toRedisError(error: unknown, operation: string): unknown {
  if (RedisUnavailableError.isInstance(error) || isRefusal(error)) return error;
  if (error instanceof Error && error.name === 'ReplyError' && !transientReply.test(error.message)) return error;
  if (isInputRefusal(error)) return new InvalidInputError(operation, (error as Error).message);
  return new RedisUnavailableError(operation, { cause: error });
}

/** The toolkit's own errors that already say a retry cannot help (every `TtaError` states `retryable`). */
function isRefusal(error: unknown): boolean {
  return TtaError.isInstance(error) && !error.retryable;
}

/** True for errors raised by the input itself, before any network round trip could matter. */
function isInputRefusal(error: unknown): boolean {
  // TypeError: BigInt or a cycle in JSON.stringify; URIError: a lone surrogate in encodeURIComponent;
  // RangeError: an invalid string length or array size. None of them comes from the connection.
  if (error instanceof TypeError || error instanceof URIError || error instanceof RangeError) return true;
  return error instanceof Error && error.name === 'Error' && bullmqInputRefusal.test(error.message);
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

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
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
export async function closeClient(client: RedisClient, owned: boolean): Promise<void> {
  if (!owned) return;
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    // The server is gone: drop the socket without waiting for a reply.
    client.disconnect();
  }
}
