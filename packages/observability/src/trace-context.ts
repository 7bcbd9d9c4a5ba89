import { ROOT_CONTEXT, context as otelContext, propagation, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { WorkflowContext, type WorkflowContextOptions } from '@tta/primitives';
import { toSpanContext } from './tracing-instrumentation.js';

/** Incoming headers: Node's `IncomingHttpHeaders`, a fetch `Headers`, or a plain record. */
export type HeadersLike = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Outgoing headers that {@link injectHeaders} can write to. */
export type WritableHeaders = Headers | Record<string, string>;

// The W3C propagators are used directly (not the global propagator), so trace context flows even
// when no SDK is registered, as in tests or with observability off.
const traceContextPropagator = new W3CTraceContextPropagator();
const baggagePropagator = new W3CBaggagePropagator();

const isFetchHeaders = (headers: unknown): headers is Headers => typeof Headers !== 'undefined' && headers instanceof Headers;

const getter: TextMapGetter<HeadersLike> = {
  keys: (carrier) => {
    if (!isFetchHeaders(carrier)) return Object.keys(carrier);
    const keys: string[] = [];
    carrier.forEach((_value, key) => keys.push(key));
    return keys;
  },
  get: (carrier, key) => {
    if (isFetchHeaders(carrier)) return carrier.get(key) ?? undefined;
    const direct = carrier[key] ?? carrier[key.toLowerCase()];
    if (direct !== undefined) return direct as string | string[];
    // Plain records may keep the sender's casing (`Traceparent`).
    const match = Object.keys(carrier).find((candidate) => candidate.toLowerCase() === key);
    return match === undefined ? undefined : (carrier[match] as string | string[] | undefined);
  },
};

const setter: TextMapSetter<WritableHeaders> = {
  set: (carrier, key, value) => {
    if (isFetchHeaders(carrier)) carrier.set(key, value);
    else carrier[key] = value;
  },
};

/** Options of {@link contextFromHeaders}: any {@link WorkflowContextOptions} besides the trace parent and baggage. */
export interface ContextFromHeadersOptions extends Omit<WorkflowContextOptions, 'parentSpanContext'> {
  /**
   * Header whose value becomes the correlation id when `correlationId` is not given (ignored when
   * empty, longer than 128 characters, or holding anything but visible ASCII: spaces, controls).
   * @default 'x-correlation-id'
   */
  readonly correlationIdHeader?: string;
}

/**
 * A {@link WorkflowContext} for a request whose spans join the caller's trace: the W3C
 * `traceparent`/`tracestate` headers become `parentSpanContext`, `baggage` becomes the context's
 * baggage (merged under `options.baggage`). Invalid or absent headers give a context without parent.
 *
 * @example
 * <!-- snippet-prelude: import type { IncomingMessage } from 'node:http'; declare function readBody(request: IncomingMessage): Promise<string>; -->
 * ```ts
 * import { createServer } from 'node:http';
 * createServer(async (request, response) => {
 *   const context = contextFromHeaders(request.headers, { timeoutMs: 30_000 });
 *   response.end(JSON.stringify(await workflow.execute(context, await readBody(request))));
 * });
 * ```
 */
export function contextFromHeaders(headers: HeadersLike, options: ContextFromHeadersOptions = {}): WorkflowContext {
  const { correlationIdHeader = 'x-correlation-id', ...contextOptions } = options;
  let extracted = traceContextPropagator.extract(ROOT_CONTEXT, headers, getter);
  extracted = baggagePropagator.extract(extracted, headers, getter);
  const spanContext = trace.getSpanContext(extracted);
  const entries = propagation.getBaggage(extracted)?.getAllEntries() ?? [];
  const baggage: Record<string, string> = {};
  for (const [key, entry] of entries) baggage[key] = entry.value;
  const headerId = getter.get(headers, correlationIdHeader.toLowerCase());
  // Visible ASCII only: C0/C1 controls (U+0085, U+009B) or a newline from a client would reach log lines and terminals raw.
  const correlationId = typeof headerId === 'string' && /^[\x21-\x7e]{1,128}$/.test(headerId) ? headerId : undefined;
  const resolved: WorkflowContextOptions = {
    ...contextOptions,
    baggage: { ...baggage, ...contextOptions.baggage },
    ...(spanContext === undefined
      ? {}
      : {
          parentSpanContext: {
            traceId: spanContext.traceId,
            spanId: spanContext.spanId,
            traceFlags: spanContext.traceFlags,
            isRemote: true,
            ...(spanContext.traceState === undefined ? {} : { traceState: spanContext.traceState.serialize() }),
          },
        }),
    ...(contextOptions.correlationId === undefined && correlationId !== undefined ? { correlationId } : {}),
  };
  return new WorkflowContext(resolved);
}

/**
 * Writes W3C `traceparent`, `tracestate` and `baggage` headers for an outgoing call and returns
 * the headers. The parent is the current span when one is active (inside a step: the step's span),
 * else the run's `parentSpanContext`; baggage is the run's baggage. Works without an SDK.
 *
 * @example
 * <!-- snippet-prelude: declare const base: string; -->
 * ```ts
 * const fetchUser = step('fetch-user', async (id: string, context) =>
 *   fetch(`${base}/users/${id}`, { headers: injectHeaders(context, { accept: 'application/json' }) }));
 * ```
 */
export function injectHeaders<THeaders extends WritableHeaders = Record<string, string>>(context: WorkflowContext | undefined, headers?: THeaders): THeaders {
  const carrier = (headers ?? {}) as THeaders;
  let current: Context = otelContext.active();
  if (trace.getSpan(current) === undefined && context?.parentSpanContext !== undefined) {
    current = trace.setSpanContext(current, toSpanContext(context.parentSpanContext));
  }
  const entries = Object.entries(context?.baggage ?? {});
  if (entries.length > 0) {
    let bag = propagation.getBaggage(current) ?? propagation.createBaggage();
    for (const [key, value] of entries) bag = bag.setEntry(key, { value });
    current = propagation.setBaggage(current, bag);
  }
  traceContextPropagator.inject(current, carrier, setter as TextMapSetter<THeaders>);
  baggagePropagator.inject(current, carrier, setter as TextMapSetter<THeaders>);
  return carrier;
}
