import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { ActualResponse } from './compare-response.js';

/** A request as the runner sends it. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  /** Sent for any method, GET included (recorded GET requests with a body exist, and Keploy sends them). */
  readonly body: Uint8Array | string | undefined;
  readonly signal: AbortSignal;
}

const decode = (bytes: Buffer, encoding: string | undefined): Buffer => {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(bytes);
    case 'deflate':
      return inflateSync(bytes);
    case 'br':
      return brotliDecompressSync(bytes);
    default:
      return bytes;
  }
};

const toHeaders = (response: IncomingMessage): Headers => {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    try {
      headers.append(raw[index]!, raw[index + 1]!);
    } catch {
      // A header the Fetch API refuses (control characters) is left out.
    }
  }
  return headers;
};

/**
 * Sends one request with `node:http`/`https` (fetch refuses a body on GET) and reads the whole response;
 * redirects are not followed, and a compressed body is decoded as recorded bodies are.
 */
export function sendRequest(outgoing: OutgoingRequest): Promise<ActualResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    outgoing.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // Node adds no Content-Length to a GET that has a body: without it the body reads as the next request.
    if (outgoing.body !== undefined) headers['content-length'] = String(typeof outgoing.body === 'string' ? Buffer.byteLength(outgoing.body) : outgoing.body.byteLength);
    const send = outgoing.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(outgoing.url, { method: outgoing.method, headers, signal: outgoing.signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('error', reject);
      response.once('end', () => {
        try {
          const bytes = decode(Buffer.concat(chunks), response.headers['content-encoding']);
          resolve({ status: response.statusCode ?? 0, headers: toHeaders(response), body: bytes.toString('utf8'), bodyBytes: bytes });
        } catch (error) {
          reject(error as Error);
        }
      });
    });
    request.once('error', (error) => reject(outgoing.signal.aborted ? outgoing.signal.reason : error));
    request.end(outgoing.body);
  });
}
