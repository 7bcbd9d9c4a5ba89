import type { CapturedBody } from './body-capture.js';
import { headersToRecord } from '../format/headers.js';
import type { HttpMock } from '../model.js';
import { redactBody, redactHeaders, redactUrl, type RedactionRules } from './redaction.js';
import { redactStream } from './redact-stream.js';

/** What is known of an outgoing request when it starts. */
export interface ExchangeStart {
  /** `mock-N`, given in request order. */
  readonly name: string;
  /** Upper-case method. */
  readonly method: string;
  /** URL as it will be written (absolute, or host-less). */
  readonly url: string;
  /** Request headers, canonical names, not yet redacted. */
  readonly headers: Record<string, string>;
  /** Epoch ms the request started. */
  readonly startedAt: number;
}

/** The Keploy mock of one finished exchange, with every secret redacted. */
export function toRecordedMock(
  exchange: ExchangeStart,
  requestBody: string,
  response: Response,
  captured: CapturedBody,
  rules: RedactionRules,
  finishedAt: number,
): HttpMock {
  const requestType = exchange.headers['Content-Type'] ?? '';
  const responseType = response.headers.get('content-type') ?? '';
  const { body, chunks } = redactStream(captured.text, captured.chunks, responseType, rules);
  return {
    kind: 'Http',
    name: exchange.name,
    metadata: { name: 'Http', operation: exchange.method, type: 'HTTP_CLIENT' },
    request: {
      method: exchange.method,
      url: redactUrl(exchange.url, rules),
      headers: redactHeaders(exchange.headers, rules),
      body: redactBody(requestBody, requestType, rules),
      timestamp: new Date(exchange.startedAt).toISOString(),
    },
    response: {
      status: response.status,
      statusMessage: response.statusText,
      headers: redactHeaders(headersToRecord(response.headers), rules),
      body,
      ...(chunks === undefined ? {} : { chunks }),
      timestamp: new Date(finishedAt).toISOString(),
    },
    created: Math.floor(exchange.startedAt / 1000),
  };
}
