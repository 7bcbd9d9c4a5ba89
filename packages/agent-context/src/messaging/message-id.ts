import { InvalidInputError } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';

/** Longest id a sender may give a message: ids are stored per inbox for the deduplication window. */
const maxMessageIdLength = 256;

/** @internal Refuses a sender-given message id that is not a non-empty string of at most 256 characters. */
export function assertMessageId(id: unknown): asserts id is string | undefined {
  if (id === undefined) return;
  if (typeof id !== 'string' || id.length === 0 || id.length > maxMessageIdLength) {
    throw new InvalidInputError('Mailbox.send', `"id" must be a non-empty string of at most ${maxMessageIdLength} characters (got ${describeValue(id)})`);
  }
}
