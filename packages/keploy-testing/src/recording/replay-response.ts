import { sleep, type Clock } from '@tta/primitives/instrumentation';
import { splitSetCookie } from '../format/header-values.js';
import type { RecordedResponse } from '../model.js';

/** Headers that describe the recorded wire encoding, not the decoded body that replay serves. */
const dropped = new Set(['content-encoding', 'content-length', 'transfer-encoding']);
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/** How a recorded stream is paced on replay. */
export type StreamTiming = 'instant' | 'recorded';

/**
 * Builds the `Response` served for a recording: decoded body, wire-encoding headers dropped, and a
 * streamed body handed out chunk by chunk (paced as recorded when asked, through `clock`).
 */
export function toReplayResponse(recorded: RecordedResponse, timing: StreamTiming, clock: Clock): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(recorded.headers)) {
    if (dropped.has(name.toLowerCase())) continue;
    try {
      // Repeated cookies were written on one line (joined with `,`): the client gets them back one by one.
      if (name.toLowerCase() === 'set-cookie') for (const cookie of splitSetCookie(value)) headers.append(name, cookie);
      else headers.append(name, value);
    } catch {
      // A header value the Fetch API refuses (control characters) is left out rather than failing the replay.
    }
  }
  const init = { status: recorded.status, statusText: recorded.statusMessage, headers };
  if (nullBodyStatuses.has(recorded.status)) return new Response(null, init);
  const chunks = recorded.chunks;
  if (recorded.bodyBytes !== undefined) return new Response(Buffer.from(recorded.bodyBytes), init);
  if (chunks === undefined || chunks.length === 0) return new Response(recorded.body, init);
  const encoder = new TextEncoder();
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) {
        controller.close();
        return;
      }
      if (timing === 'recorded' && chunk.delayMs > 0) await sleep(chunk.delayMs, undefined, clock);
      controller.enqueue(encoder.encode(chunk.data));
    },
  });
  return new Response(stream, init);
}
