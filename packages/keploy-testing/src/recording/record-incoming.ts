import { readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { InvalidOptionsError } from '@tta/primitives';
import { systemClock, type Clock } from '@tta/primitives/instrumentation';
import { nameProblem, pathInside } from '../files/safe-name.js';
import { toCurl } from '../format/curl.js';
import { canonicalHeaderName } from '../format/headers.js';
import type { HttpTestCase, StreamChunk } from '../model.js';
import { KEPLOY_HEADER_SEPARATOR } from '../format/header-values.js';
import { claimTestFile } from '../test-set-files.js';
import { redactBody, redactHeaders, redactUrl, type RedactionRules } from './redaction.js';
import { redactStream } from './redact-stream.js';
import { reportRecordingFailure } from './report-failure.js';
import { defaultVolatileHeaders } from './volatile-headers.js';

/** Options of {@link recordIncoming}. */
export interface RecordIncomingOptions {
  /**
   * The Keploy folder that holds the `test-set-N` folders.
   * @default 'keploy'
   */
  readonly dir?: string;
  /**
   * Test set the test cases are written to (`tests/test-M.yaml`, numbering after the existing ones): a
   * plain folder name inside `dir` (not empty, `.` or `..`, without `/`, `\`, `:` or control characters).
   */
  readonly testSet: string;
  /**
   * Set to `false` to pass every request through untouched (for example unless `TTA_RECORD_MODE=record`).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Extra header and body field names to redact.
   * @default []
   */
  readonly redactKeys?: readonly string[];
  /**
   * Literal values scrubbed from everything written.
   * @default []
   */
  readonly secrets?: readonly string[];
  /**
   * Response headers written as noise (`header.<Name>: []`) when present.
   * @default date, etag, request and trace ids, keep-alive, connection, ...
   */
  readonly volatileHeaders?: readonly string[];
  /**
   * Extra noise written in every test case, e.g. `{ 'body.createdAt': [] }`.
   * @default {}
   */
  readonly noise?: Readonly<Record<string, readonly string[]>>;
  /**
   * Which requests to record.
   * @default every request
   */
  readonly filter?: (request: IncomingMessage) => boolean;
  /**
   * Source of time for timestamps.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/** A `node:http` middleware that writes each request into the service, with its response, as a Keploy test case. */
export interface IncomingRecorder {
  /** Connect/Express-style middleware: `app.use(recorder)`, or call it first in a plain handler. */
  (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void;
  /** Wraps a plain `node:http` handler: `createServer(recorder.wrap(handler))`. */
  wrap<THandler extends (request: IncomingMessage, response: ServerResponse) => unknown>(handler: THandler): (request: IncomingMessage, response: ServerResponse) => void;
  /** Test cases written so far. */
  readonly recorded: readonly HttpTestCase[];
  /** Resolves when every finished exchange has been written. */
  flush(): Promise<void>;
}

const textOf = (chunk: unknown, encoding?: unknown): Buffer | undefined => {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return undefined;
};

/**
 * The response headers as sent on the wire (those given to `writeHead` and those Node adds, such as
 * `Date` and `Connection`), read from the serialized head; `getHeaders()` when it is not available.
 */
function sentHeaders(response: ServerResponse): Record<string, string> {
  const headers: Record<string, string> = {};
  const head: unknown = (response as unknown as { _header?: unknown })._header;
  if (typeof head === 'string' && head.startsWith('HTTP/')) {
    for (const line of head.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = canonicalHeaderName(line.slice(0, colon).trim());
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}${KEPLOY_HEADER_SEPARATOR}${value}`;
    }
    return headers;
  }
  for (const [name, value] of Object.entries(response.getHeaders())) {
    if (value !== undefined) headers[canonicalHeaderName(name)] = Array.isArray(value) ? value.join(KEPLOY_HEADER_SEPARATOR) : String(value);
  }
  return headers;
}

/**
 * Records requests into a `node:http` service as Keploy test cases (`tests/test-M.yaml` with
 * `assertions.noise` and `curl`), redacting secrets before writing. Pair it with
 * `startRecording({ mode: 'record' })` to record the service's outgoing calls as the mocks of the same set.
 *
 * @example
 * <!-- snippet-prelude: import type { RequestListener } from 'node:http'; declare const handler: RequestListener; -->
 * ```ts
 * import { createServer } from 'node:http';
 * const recorder = recordIncoming({ dir: 'keploy', testSet: 'test-set-0' });
 * createServer(recorder.wrap(handler)).listen(3000);
 * ```
 */
export function recordIncoming(options: RecordIncomingOptions): IncomingRecorder {
  if (options === null || typeof options !== 'object') throw new InvalidOptionsError('recordIncoming', 'options', 'must be an object');
  const testSetProblem = nameProblem(options.testSet);
  if (testSetProblem !== undefined) {
    throw new InvalidOptionsError('recordIncoming', 'testSet', `must be a folder name such as "test-set-0" (${JSON.stringify(options.testSet)}: ${testSetProblem})`);
  }
  const testSetDir = pathInside(resolve(options.dir ?? 'keploy'), options.testSet, 'test set');
  const enabled = options.enabled ?? true;
  const clock = options.clock ?? systemClock;
  const rules: RedactionRules = { keys: options.redactKeys ?? [], secrets: options.secrets ?? [] };
  const volatile = new Set((options.volatileHeaders ?? defaultVolatileHeaders).map((name) => name.toLowerCase()));
  const recorded: HttpTestCase[] = [];
  let nextNumber: Promise<number> | undefined;
  let writes: Promise<void> = Promise.resolve();

  // Only a first guess: the file name is claimed atomically when written, so recorders sharing a set
  // (other processes, cluster workers) skip the numbers the others took.
  const firstFreeNumber = async (): Promise<number> => {
    nextNumber ??= readdir(join(testSetDir, 'tests')).then(
      (names) => {
        let max = 0;
        for (const name of names) {
          const match = /^test-(\d+)\.ya?ml$/.exec(name);
          if (match !== null) max = Math.max(max, Number(match[1]));
        }
        return max + 1;
      },
      () => 1,
    );
    return nextNumber;
  };

  const capture = (request: IncomingMessage, response: ServerResponse): void => {
    const requestChunks: Buffer[] = [];
    const originalPush = request.push;
    // Tap the body as the parser pushes it, so the service still reads every byte itself.
    request.push = function push(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
      const buffer = textOf(chunk, encoding);
      if (buffer !== undefined) requestChunks.push(buffer);
      return originalPush.call(this, chunk, encoding);
    } as typeof request.push;
    const startedAt = clock.now();
    const pieces: Array<{ buffer: Buffer; at: number }> = [];
    const originalWrite = response.write;
    const originalEnd = response.end;
    let headersAt = startedAt;
    response.write = function write(this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
      if (pieces.length === 0) headersAt = clock.now();
      const buffer = textOf(chunk, rest[0]);
      if (buffer !== undefined) pieces.push({ buffer, at: clock.now() });
      return (originalWrite as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof response.write;
    response.end = function end(this: ServerResponse, chunk?: unknown, ...rest: unknown[]): ServerResponse {
      const buffer = textOf(chunk, rest[0]);
      if (buffer !== undefined) pieces.push({ buffer, at: clock.now() });
      return (originalEnd as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
    } as typeof response.end;
    response.once('finish', () => {
      request.push = originalPush;
      response.write = originalWrite;
      response.end = originalEnd;
      const finishedAt = clock.now();
      writes = writes.then(async () => {
        const requestBody = Buffer.concat(requestChunks).toString('utf8');
        const { number, test } = await claimTestFile(testSetDir, await firstFreeNumber(), (candidate) =>
          buildTestCase(candidate, request, response, requestBody, pieces, headersAt, startedAt, finishedAt),
        );
        nextNumber = Promise.resolve(number + 1);
        recorded.push(test as HttpTestCase);
      }).catch((error: unknown) => {
        reportRecordingFailure('could not write a test case for', request.method, request.url, error, rules);
      });
    });
  };

  const buildTestCase = (
    number: number,
    request: IncomingMessage,
    response: ServerResponse,
    requestBody: string,
    pieces: Array<{ buffer: Buffer; at: number }>,
    headersAt: number,
    startedAt: number,
    finishedAt: number,
  ): HttpTestCase => {
    const requestHeaders: Record<string, string> = {};
    for (const [name, values] of Object.entries(request.headersDistinct)) {
      if (values !== undefined) requestHeaders[canonicalHeaderName(name)] = values.join(KEPLOY_HEADER_SEPARATOR);
    }
    const responseHeaders = sentHeaders(response);
    if (response.sendDate && responseHeaders.Date === undefined) responseHeaders.Date = new Date(finishedAt).toUTCString();
    const host = request.headers.host ?? `localhost:${request.socket.localPort ?? 80}`;
    // An absolute-form target (`GET http://user:pass@host/x HTTP/1.1`, as clients send it to a proxy) is a
    // whole URL already: prefixing the Host would glue two URLs together and hide its userinfo from redaction.
    const target = request.url ?? '/';
    const url = redactUrl(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${host}${target}`, rules);
    const requestType = request.headers['content-type'] ?? '';
    const responseType = String(response.getHeader('content-type') ?? '');
    const streamed = pieces.length > 1 && (responseType.includes('text/event-stream') || response.getHeader('content-length') === undefined);
    let rawChunks: StreamChunk[] | undefined;
    if (streamed) {
      const decoder = new TextDecoder();
      let previous = headersAt;
      rawChunks = pieces.map((piece) => {
        const delayMs = Math.max(0, Math.round(piece.at - previous));
        previous = piece.at;
        return { data: decoder.decode(piece.buffer, { stream: true }), delayMs };
      });
    }
    const rawBody = Buffer.concat(pieces.map((piece) => piece.buffer)).toString('utf8');
    const { body: responseBody, chunks } = redactStream(rawBody, rawChunks, responseType, rules);
    const noise: Record<string, string[]> = {};
    for (const name of Object.keys(responseHeaders)) if (volatile.has(name.toLowerCase())) noise[`header.${name}`] = [];
    for (const [field, patterns] of Object.entries(options.noise ?? {})) noise[field] = [...patterns];
    const testRequest = {
      method: (request.method ?? 'GET').toUpperCase(),
      url,
      headers: redactHeaders(requestHeaders, rules),
      body: redactBody(requestBody, requestType, rules),
      timestamp: new Date(startedAt).toISOString(),
    };
    const appPort = request.socket.localPort;
    return {
      kind: 'Http',
      name: `test-${number}`,
      request: testRequest,
      response: {
        status: response.statusCode,
        statusMessage: response.statusMessage ?? '',
        headers: redactHeaders(responseHeaders, rules),
        body: responseBody,
        ...(chunks === undefined ? {} : { chunks }),
        timestamp: new Date(finishedAt).toISOString(),
      },
      noise,
      created: Math.floor(startedAt / 1000),
      curl: toCurl(testRequest),
      ...(appPort === undefined ? {} : { appPort }),
    };
  };

  const middleware = ((request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void => {
    if (enabled && (options.filter === undefined || options.filter(request))) capture(request, response);
    next?.();
  }) as IncomingRecorder;
  Object.defineProperty(middleware, 'recorded', { get: () => recorded });
  middleware.flush = async () => {
    let current: Promise<void>;
    do {
      current = writes;
      await current;
    } while (current !== writes);
  };
  middleware.wrap = (handler) => (request, response) => {
    middleware(request, response);
    const fail = (error: unknown): void => {
      reportRecordingFailure('the wrapped handler failed on', request.method, request.url, error, rules);
      if (!response.headersSent) response.statusCode = 500;
      if (!response.writableEnded) response.end();
    };
    try {
      const result = handler(request, response);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
  return middleware;
}
