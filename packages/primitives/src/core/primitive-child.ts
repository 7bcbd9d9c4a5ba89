import type { AnyPrimitive } from './workflow-primitive.js';

/**
 * One primitive that a composite or wrapper runs, with what it is to its parent: a parallel
 * record key or index (`'0'`, `'1'`...), a router route, `then`/`else`, `primary`/`fallback 1`, a
 * saga's `step 1`/`undo 1`, `fallback` for a timeout's fallback. `undefined` when the child is
 * simply the next step or the wrapped primitive. Graph tools (`describe`, `toMermaid`,
 * `fingerprint`, durable step paths) walk a workflow through these.
 *
 * @example
 * ```ts
 * const children: readonly PrimitiveChild[] = parallel({ news: fetchNews, weather: fetchWeather })._children();
 * // [{ label: 'news', primitive: fetchNews }, { label: 'weather', primitive: fetchWeather }]
 * ```
 */
export interface PrimitiveChild {
  /** What the child is to its parent; `undefined` for a plain step or the wrapped primitive. */
  readonly label: string | undefined;
  /** The child itself. */
  readonly primitive: AnyPrimitive;
}

/** @internal The children of a leaf: one frozen array, so asking a leaf allocates nothing. */
export const noChildren: readonly PrimitiveChild[] = Object.freeze([]);

/** @internal The one child of a wrapper (retry, timeout, cache...): the primitive it wraps. */
export function wrappedChild(inner: AnyPrimitive): readonly PrimitiveChild[] {
  return [{ label: undefined, primitive: inner }];
}

/** @internal Children that are plain steps in order (a sequence). */
export function unlabelledChildren(primitives: readonly AnyPrimitive[]): readonly PrimitiveChild[] {
  return primitives.map((primitive) => ({ label: undefined, primitive }));
}
