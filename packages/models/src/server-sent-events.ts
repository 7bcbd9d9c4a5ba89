/**
 * The `data:` payloads of a `text/event-stream` body, one per event, in order. Stops at the end of
 * the body; cancelling the iteration (a `break`, a `return`) cancels the body, which closes the
 * connection, so an abandoned stream does not keep the server generating.
 */
export async function* serverSentEventData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        buffer += decoder.decode();
        const last = eventData(buffer);
        if (last !== undefined) yield last;
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      // Events end with a blank line; CRLF and CR line ends are allowed by the format.
      buffer = buffer.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const data = eventData(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (data !== undefined) yield data;
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

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
