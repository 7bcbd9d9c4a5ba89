import { RedisUnavailableError } from './errors/redis-unavailable-error.js';

/**
 * @internal Gives a call made on a connection without a command timeout (BullMQ's blocking ones) the
 * store's limit: after `timeoutMs` it rejects with {@link RedisUnavailableError} (`maybeApplied`:
 * the server may still run it). `0` means no limit. The timer never outlives the call. With
 * `background: true` the timer does not keep the process alive (clean-up nobody awaits).
 */
export async function withCommandTimeout<T>(operation: string, timeoutMs: number, call: () => Promise<T>, options: { readonly background?: boolean } = {}): Promise<T> {
  if (timeoutMs <= 0) return call();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(operation, { cause: new Error(`Command timed out after ${timeoutMs} ms`), maybeApplied: true })), timeoutMs);
    if (options.background === true) timer.unref();
  });
  try {
    return await Promise.race([call(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
