import type { SpanContextLike } from '@tta/primitives/instrumentation';

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** @internal W3C `traceparent` (version 00) for a span context. */
export function formatTraceparent(span: SpanContextLike): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * @internal Span context from a W3C `traceparent` (and optional `tracestate`); undefined when the
 * header is malformed or all-zero, as the spec says to ignore such a parent.
 */
export function parseTraceparent(traceparent: string | undefined, tracestate?: string): SpanContextLike | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = traceparentPattern.exec(traceparent.trim().toLowerCase());
  if (match === null || match[1] === 'ff') return undefined;
  const traceId = match[2]!;
  const spanId = match[3]!;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  const span: { traceId: string; spanId: string; traceFlags: number; isRemote: boolean; traceState?: string } = {
    traceId,
    spanId,
    traceFlags: Number.parseInt(match[4]!, 16),
    isRemote: true,
  };
  if (tracestate !== undefined && tracestate.length > 0) span.traceState = tracestate;
  return span;
}
