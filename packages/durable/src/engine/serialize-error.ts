import { redactText } from '@tta/primitives/logging';
import type { SerializedError } from '../run-store.js';

/** Causes kept below the error itself: enough for any real chain, bounded for a cyclic one. */
const maxCauseDepth = 8;

/**
 * `error` as the journal keeps it: name, message, `code` and `retryable` when it has them, and its
 * `cause` chain, as plain JSON. A thrown non-error becomes `{ name: 'NonError', message }`.
 * Messages are redacted: they often quote a request (a key, a token), and the journal is written
 * to disk or Redis and shown by `inspect`, while replaying a run never needs an error's text.
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (typeof error !== 'object' || error === null) return { name: 'NonError', message: redactText(String(error)) };
  const source = error as { name?: unknown; message?: unknown; code?: unknown; retryable?: unknown; cause?: unknown };
  const name = typeof source.name === 'string' ? source.name : 'Error';
  const message = redactText(typeof source.message === 'string' ? source.message : String(error));
  const cause = source.cause !== undefined && depth < maxCauseDepth ? serializeError(source.cause, depth + 1) : undefined;
  return {
    name,
    message,
    ...(typeof source.code === 'string' ? { code: source.code } : {}),
    ...(typeof source.retryable === 'boolean' ? { retryable: source.retryable } : {}),
    ...(cause === undefined ? {} : { cause }),
  };
}
