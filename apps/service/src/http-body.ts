import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError } from './body-error.js';

/** Reads a JSON body of at most `limitBytes`; rejects with a {@link BodyError} otherwise (499 when the client hung up). */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new BodyError(415, 'unsupported_media_type', 'send the body as application/json');
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limitBytes) throw new BodyError(413, 'body_too_large', `the body must be at most ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > limitBytes) throw new BodyError(413, 'body_too_large', `the body must be at most ${limitBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    // The stream fails with ECONNRESET "aborted" when the client hangs up mid-upload.
    throw new BodyError(499, 'client_closed', 'the client closed the connection during the upload');
  }
  if (!request.complete) throw new BodyError(499, 'client_closed', 'the client closed the connection during the upload');
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BodyError(400, 'invalid_json', 'the body is not valid JSON');
  }
}

/** Sends `body` as JSON with `status`. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  response.end(payload);
}
