import type { StreamChunk } from '../model.js';
import { redactBody, type RedactionRules } from './redaction.js';

const splitKeeping = (text: string, separator: string): string[] => {
  const parts: string[] = [];
  let start = 0;
  for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, start)) {
    parts.push(text.slice(start, at + separator.length));
    start = at + separator.length;
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
};

/**
 * Redacts a streamed body. Chunks are redacted one by one when that gives the same text as redacting the
 * whole body; when a chunk boundary cuts through a secret field (so a chunk alone cannot be read as JSON),
 * the whole body is redacted and split again at event (`\n\n`) or line boundaries, or kept whole. The
 * written chunks never hold more than the redacted body.
 */
export function redactStream(
  text: string,
  chunks: readonly StreamChunk[] | undefined,
  contentType: string,
  rules: RedactionRules,
): { body: string; chunks?: StreamChunk[] } {
  const body = redactBody(text, contentType, rules);
  if (chunks === undefined) return { body };
  const perChunk = chunks.map((chunk) => ({ data: redactBody(chunk.data, contentType, rules), delayMs: chunk.delayMs }));
  if (perChunk.map((chunk) => chunk.data).join('') === body) return { body, chunks: perChunk };
  const type = contentType.toLowerCase();
  const separator = type.includes('text/event-stream') ? '\n\n' : type.includes('ndjson') ? '\n' : undefined;
  if (separator === undefined) return { body };
  const parts = splitKeeping(body, separator);
  return { body, chunks: parts.map((data, index) => ({ data, delayMs: chunks[Math.min(index, chunks.length - 1)]!.delayMs })) };
}
