/**
 * The `data:` payloads of a `text/event-stream` body, one per event, in order. Stops at the end of
 * the body; cancelling the iteration (a `break`, a `return`) cancels the body, which closes the
 * connection, so an abandoned stream does not keep the server generating. An event still unfinished
 * past `maxEventBytes` throws `tooLarge()`: a server that never ends an event cannot fill memory.
 */
export async function* serverSentEventData(
  body: ReadableStream<Uint8Array>,
  maxEventBytes: number = Number.POSITIVE_INFINITY,
  tooLarge: () => Error = () => new RangeError(`a server-sent event is larger than ${maxEventBytes} bytes`),
): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  // A CR ending one chunk may be the first half of a CRLF split across two reads.
  let pendingCarriageReturn = false;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        buffer += normalise(decoder.decode());
        const last = eventData(buffer);
        if (last !== undefined) yield last;
        return;
      }
      let text = decoder.decode(value, { stream: true });
      if (pendingCarriageReturn && text.startsWith('\n')) {
        text = text.slice(1);
        pendingCarriageReturn = false;
      }
      if (text !== '') pendingCarriageReturn = text.endsWith('\r');
      // Only the new text is normalised: the buffer already is, and rescanning it would be quadratic.
      buffer += normalise(text);
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = eventData(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (data !== undefined) yield data;
        end = buffer.indexOf('\n\n');
      }
      // UTF-8 takes at most 3 bytes per UTF-16 unit, so the encoding is paid only near the limit.
      if (buffer.length * 3 > maxEventBytes && encoder.encode(buffer).byteLength > maxEventBytes) throw tooLarge();
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Events end with a blank line; CRLF and CR line ends are allowed by the format. */
const normalise = (text: string): string => text.replace(/\r\n?/g, '\n');

/** The joined `data:` lines of one event, or undefined for an event without data (a comment, a ping). */
function eventData(event: string): string | undefined {
  let data: string | undefined;
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const value = line.slice(line.startsWith('data: ') ? 6 : 5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}
