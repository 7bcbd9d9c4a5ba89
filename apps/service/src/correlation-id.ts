/** Longest correlation id taken from a request header; longer ones are replaced by a generated id. */
export const MAX_CORRELATION_ID_LENGTH = 128;

/**
 * The correlation id a client sent, made safe to echo in a header and to write in a log line:
 * only visible ASCII is kept (C0 and C1 controls such as U+0085 and U+009B, DEL, spaces and every
 * other non-ASCII character are dropped), so a log viewer or terminal never receives control
 * sequences from a client. Undefined when nothing usable is left or the id is too long: the run
 * then generates its own.
 */
export function sanitizeCorrelationId(value: string | readonly string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(/[^\x21-\x7e]/g, '');
  return cleaned.length === 0 || cleaned.length > MAX_CORRELATION_ID_LENGTH ? undefined : cleaned;
}
