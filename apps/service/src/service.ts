import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contextFromHeaders, getMetricsRegistry, injectHeaders } from '@tta/observability';
import { metrics as builtinMetrics, DeadlineExceededError, RateLimitExceededError, step, TimeoutError, type WorkflowContext, type WorkflowPrimitive } from '@tta/primitives';
import { describeValue } from '@tta/primitives/instrumentation';
import { bindLogger, type Logger } from '@tta/primitives/logging';
import { ANSWERED_BY, CACHE_OUTCOME, type Answer, type CacheOutcome } from './answer-workflow.js';
import { BodyError } from './body-error.js';
import { sanitizeCorrelationId } from './correlation-id.js';
import { scrubErrorText } from './scrub-error-text.js';
import { readJsonBody, sendJson } from './http-body.js';
import { answerRequestSchema, describeIssues, type AnswerRequest } from './request-schema.js';

/** Options of {@link createService}. */
export interface ServiceOptions {
  /** The workflow behind `POST /v1/answer`. */
  readonly workflow: WorkflowPrimitive<AnswerRequest, Answer>;
  /**
   * Where the JSON logs go; every request line carries its correlation id. Every line the service
   * writes is redacted (secret-looking keys and values) before it reaches this logger.
   */
  readonly logger: Logger;
  /**
   * Time budget of one request, retries included.
   * @default 10000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Largest accepted request body.
   * @default 16384
   */
  readonly bodyLimitBytes?: number;
  /**
   * How long a shutdown waits for requests in flight before closing their connections.
   * @default 10000
   */
  readonly shutdownGraceMs?: number;
  /**
   * Also log a debug line when a valid request starts its run (off by default: it costs a log call).
   * @default false
   */
  readonly logRequestStart?: boolean;
  /**
   * Log lines the process's log sink has dropped so far (a broken or stalled stdout), reported by
   * `/healthz` as `droppedLogLines`.
   */
  readonly droppedLogLines?: () => number;
}

/** A running HTTP service. */
export interface Service {
  readonly server: Server;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host: string): Promise<{ readonly host: string; readonly port: number }>;
  /** Stops accepting connections, lets requests in flight finish, then closes. Idempotent. */
  shutdown(): Promise<void>;
  /** Requests being served right now. */
  readonly inFlight: number;
}

/** Methods each route accepts; any other path is a 404 whatever its method. */
const routes: Readonly<Record<string, readonly string[]>> = {
  '/v1/answer': ['POST'],
  '/healthz': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/metrics/builtin': ['GET', 'HEAD'],
};

/** What clients are told about a failure: no upstream text, no URL, only the correlation id to quote. */
const clientMessages = {
  timeout: 'the request ran out of time; quote the correlation id when reporting it',
  rate_limited: 'too many requests right now; try again later',
  model_unavailable: 'the model is unavailable right now; quote the correlation id when reporting it',
  internal_error: 'the request failed unexpectedly; quote the correlation id when reporting it',
} as const;

/**
 * The HTTP API: `POST /v1/answer` runs the workflow, `GET /metrics` serves Prometheus metrics
 * (when observability is on), `GET /metrics/builtin` the core's built-in snapshot as JSON,
 * `GET /healthz` liveness (503 while shutting down). Bad input gets a 4xx with details, never a crash;
 * a failure gets a generic message and the correlation id, its details go to the (redacted) log only.
 */
export function createService(options: ServiceOptions): Service {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const bodyLimitBytes = options.bodyLimitBytes ?? 16_384;
  const shutdownGraceMs = options.shutdownGraceMs ?? 10_000;
  // Lines outside a request (an unhandled error) are redacted like the request lines.
  const logger = bindLogger(options.logger, {});
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  let shutdownPromise: Promise<void> | undefined;
  // The root step of every request: its span (when tracing is on) is the one named in the
  // response's traceparent, and everything the workflow does is its child.
  const handle = step('http-answer', (input: { readonly request: AnswerRequest; readonly headers: Record<string, string> }, context: WorkflowContext) => {
    // Only the trace parent goes back: echoing the caller's baggage (or tracestate) would reflect
    // whatever the client put there into our response.
    const traceparent = injectHeaders(context).traceparent;
    if (traceparent !== undefined) input.headers.traceparent = traceparent;
    return options.workflow.execute(context, input.request);
  });

  const server = createServer((request, response) => {
    inFlight++;
    if (draining) response.setHeader('connection', 'close');
    response.once('close', () => {
      inFlight--;
      if (draining && inFlight === 0) drained?.();
    });
    const correlationId = sanitizeCorrelationId(request.headers['x-correlation-id']) ?? randomUUID();
    route(request, response, correlationId).catch((error: unknown) => {
      // The path without its query: tokens travel in query strings.
      logger.error({ correlationId, method: request.method, path: pathOf(request), status: 500, error: scrubErrorText(describe(error)) }, 'unhandled error');
      if (!response.headersSent) {
        sendJson(response, 500, { error: 'internal_error', message: clientMessages.internal_error, correlationId }, { 'x-correlation-id': correlationId });
      } else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;

  async function route(request: IncomingMessage, response: ServerResponse, correlationId: string): Promise<void> {
    const path = pathOf(request);
    const methods = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (methods === undefined) return sendJson(response, 404, { error: 'not_found', message: 'no such route' });
    if (!methods.includes(request.method ?? '')) {
      return sendJson(response, 405, { error: 'method_not_allowed', message: `use ${methods[0]}` }, { allow: methods.join(', ') });
    }
    if (path === '/v1/answer') return answer(request, response, correlationId);
    if (path === '/healthz') {
      const dropped = options.droppedLogLines?.();
      return sendJson(response, draining ? 503 : 200, { status: draining ? 'draining' : 'ok', ...(dropped === undefined ? {} : { droppedLogLines: dropped }) });
    }
    if (path === '/metrics') return serveMetrics(response);
    return sendJson(response, 200, builtinMetrics.snapshot());
  }

  async function serveMetrics(response: ServerResponse): Promise<void> {
    const registry = getMetricsRegistry();
    if (registry === undefined) {
      return sendJson(response, 503, { error: 'metrics_off', message: 'observability is off: start with TTA_OBSERVABILITY=on' });
    }
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType });
    response.end(body);
  }

  async function answer(request: IncomingMessage, response: ServerResponse, correlationId: string): Promise<void> {
    const started = performance.now();
    // The client going away cancels the run (and the model call in flight).
    const abandoned = new AbortController();
    // The context's logger redacts every line and stamps the (sanitized) correlation id on it.
    const context = contextFromHeaders(request.headers, { timeoutMs: requestTimeoutMs, logger: options.logger, signal: abandoned.signal, correlationId });
    const headers: Record<string, string> = { 'x-correlation-id': context.correlationId };
    const log = (status: number, fields: Record<string, unknown> = {}) =>
      context.logger[status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'](
        {
          method: 'POST',
          path: '/v1/answer',
          status,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          ...traceIdOf(headers.traceparent ?? request.headers.traceparent),
          ...fields,
        },
        'request',
      );

    let body: unknown;
    try {
      body = await readJsonBody(request, bodyLimitBytes);
    } catch (error) {
      if (!BodyError.isInstance(error)) throw error;
      const bodyError = error as BodyError;
      log(bodyError.status, { error: bodyError.code });
      // Nobody is left to read an answer.
      if (bodyError.status === 499) return void response.destroy();
      if (bodyError.status === 413) headers.connection = 'close';
      return sendJson(response, bodyError.status, { error: bodyError.code, message: bodyError.message }, headers);
    }
    const parsed = answerRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      log(400, { error: 'invalid_request', issues: issues.length });
      return sendJson(response, 400, { error: 'invalid_request', issues }, headers);
    }

    if (options.logRequestStart === true) context.logger.debug({ method: 'POST', path: '/v1/answer' }, 'request started');
    const onClose = () => {
      if (!response.writableFinished) abandoned.abort(new Error('client closed the connection'));
    };
    response.once('close', onClose);
    try {
      const result = await handle.execute(context, { request: parsed.data, headers });
      // Workflows that do not report a cache outcome: an answer no model step of this run wrote is a hit.
      const cache = (context.state.get(CACHE_OUTCOME) as CacheOutcome | undefined) ?? (context.state.has(ANSWERED_BY) ? 'miss' : 'hit');
      log(200, { model: result.model, cache });
      sendJson(
        response,
        200,
        { answer: result.text, model: result.model, simulated: result.simulated, cached: cache === 'hit', shared: cache === 'shared', correlationId: context.correlationId },
        headers,
      );
    } catch (error) {
      if (abandoned.signal.aborted) {
        log(499, { error: 'client_closed' });
        return;
      }
      if (RateLimitExceededError.isInstance(error)) {
        // The service's (possibly fleet-wide) budget of model runs is spent: the client may come back.
        log(429, { error: 'rate_limited' });
        return sendJson(response, 429, { error: 'rate_limited', message: clientMessages.rate_limited, correlationId: context.correlationId }, { ...headers, 'retry-after': '1' });
      }
      const timedOut = TimeoutError.isInstance(error) || DeadlineExceededError.isInstance(error);
      const status = timedOut ? 504 : 502;
      const code = timedOut ? 'timeout' : 'model_unavailable';
      // The details (upstream text, endpoint) are for the operator's log only, scrubbed of URL
      // credentials and redacted; an upstream that echoes our Authorization must not reach the client.
      log(status, { error: scrubErrorText(describe(error)) });
      sendJson(response, status, { error: code, message: clientMessages[code], correlationId: context.correlationId }, headers);
    } finally {
      response.off('close', onClose);
    }
  }

  return {
    server,
    get inFlight() {
      return inFlight;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolve({ host: address.address, port: address.port });
        });
      });
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([
            new Promise<void>((resolve) => (drained = resolve)),
            new Promise<void>((resolve) => (timer = setTimeout(resolve, shutdownGraceMs))),
          ]);
          clearTimeout(timer);
        }
        server.closeAllConnections();
        await closed;
      })();
      return shutdownPromise;
    },
  };
}

function pathOf(request: IncomingMessage): string {
  return (request.url ?? '/').split('?', 1)[0] ?? '/';
}

function traceIdOf(traceparent: string | string[] | undefined): { traceId?: string } {
  const traceId = typeof traceparent === 'string' ? /^[\da-f]{2}-([\da-f]{32})-/.exec(traceparent)?.[1] : undefined;
  return traceId === undefined ? {} : { traceId };
}

/**
 * The text of a failure for the log; never throws. A value String() cannot print (a null-prototype
 * object, a revoked proxy) or an AggregateError that contains itself would otherwise throw here and
 * turn a 502 into a 500 without its request line.
 */
function describe(error: unknown, depth = 0): string {
  try {
    if (error instanceof AggregateError && depth < 3) return `${error.message}: ${error.errors.map((inner: unknown) => describe(inner, depth + 1)).join('; ')}`;
    return error instanceof Error ? error.message : describeValue(error);
  } catch {
    return 'an error that cannot be described';
  }
}
