import { ModelResponseError } from './errors/model-response-error.js';

/**
 * Reads a response body as UTF-8 text, at most `limitBytes` of it: a larger declared length is
 * refused before reading, and a body that grows past the cap is cancelled at the chunk that crosses
 * it, so memory stays bounded whatever the server sends.
 */
export async function readCappedText(response: Response, limitBytes: number, source: string): Promise<string> {
  const tooLarge = () => new ModelResponseError(`the model at ${source} sent a response larger than ${limitBytes} bytes (maxResponseBytes)`, { limitBytes });
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
