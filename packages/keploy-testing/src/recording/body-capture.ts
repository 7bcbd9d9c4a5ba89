import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Clock } from '@tta/primitives/instrumentation';
import type { StreamChunk } from '../model.js';

/** A response body read to its end (or until cancelled), with the chunk boundaries it arrived in. */
export interface CapturedBody {
  readonly text: string;
  /** Present when the body arrived in several pieces and looks streamed. */
  readonly chunks?: StreamChunk[];
}

/** A body being read in the background; `cancel()` ends it early, keeping what arrived. */
export interface BodyCapture {
  readonly done: Promise<CapturedBody>;
  cancel(): void;
}

const decompress = (bytes: Buffer, encoding: string): Buffer | undefined => {
  const coding = encoding.toLowerCase().trim();
  try {
    if ((coding === 'gzip' || coding === 'x-gzip') && bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes);
    if (coding === 'deflate') return inflateSync(bytes);
    if (coding === 'br') return brotliDecompressSync(bytes);
  } catch {
    // Already decoded (fetch decodes before handing the body over): keep the bytes as they are.
  }
  return undefined;
};

/**
 * Reads `body` as it arrives, keeping chunk boundaries and the delay between chunks. Compressed bodies
 * are stored decoded, as one piece.
 */
export function captureBody(body: ReadableStream<Uint8Array> | null, headers: Headers, clock: Clock): BodyCapture {
  if (body === null) return { done: Promise.resolve({ text: '' }), cancel: () => undefined };
  const reader = body.getReader();
  let cancelled = false;
  const done = (async (): Promise<CapturedBody> => {
    const pieces: Array<{ bytes: Uint8Array; delayMs: number }> = [];
    let previous = clock.now();
    try {
      while (!cancelled) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        const now = clock.now();
        pieces.push({ bytes: value, delayMs: Math.max(0, Math.round(now - previous)) });
        previous = now;
      }
    } catch {
      // The consumer aborted or the connection broke: keep what arrived.
    } finally {
      reader.releaseLock();
    }
    const all = Buffer.concat(pieces.map((piece) => piece.bytes));
    const encoding = headers.get('content-encoding');
    const decoded = encoding === null ? undefined : decompress(all, encoding);
    if (decoded !== undefined) return { text: decoded.toString('utf8') };
    const contentType = (headers.get('content-type') ?? '').toLowerCase();
    const streamed = pieces.length > 1 && (contentType.includes('text/event-stream') || contentType.includes('ndjson') || headers.get('content-length') === null);
    if (!streamed) return { text: new TextDecoder().decode(all) };
    const decoder = new TextDecoder();
    const chunks = pieces.map((piece) => ({ data: decoder.decode(piece.bytes, { stream: true }), delayMs: piece.delayMs }));
    const rest = decoder.decode();
    if (rest !== '') chunks.push({ data: rest, delayMs: 0 });
    return { text: chunks.map((chunk) => chunk.data).join(''), chunks };
  })();
  return {
    done,
    cancel: () => {
      cancelled = true;
      reader.cancel().catch(() => undefined);
    },
  };
}
