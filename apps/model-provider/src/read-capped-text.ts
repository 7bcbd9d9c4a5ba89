import { ModelResponseTooLargeError } from './errors/model-response-too-large-error.js';

/**
 * Reads a response body as UTF-8 text, at most `limitBytes` of it. A larger declared
 * `content-length` is refused before reading; a body that grows past the cap is cancelled at the
 * chunk that crosses it, so memory stays bounded by the cap whatever the server sends.
 */
export async function readCappedText(response: Response, limitBytes: number, describeSource: string): Promise<string> {
  const tooLarge = () => new ModelResponseTooLargeError(limitBytes, `the model at ${describeSource} sent a response larger than ${limitBytes} bytes (maxResponseBytes)`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limitBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limitBytes) {
        // Cancelling closes the connection: the server stops streaming to us.
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return text + decoder.decode();
}
