/**
 * A summarised option of a primitive in its {@link PrimitiveDescription}: a JSON number, string or
 * boolean. A callback appears as `'function'`; a number JSON cannot hold (`Infinity`) as its
 * string (`'Infinity'`); a string option has credentials redacted and is cut to 200 characters.
 */
export type PrimitiveOptionValue = string | number | boolean;

/**
 * What a primitive is, as plain JSON: no functions, no class instances, no secrets. Made by
 * `primitive.describe()`; `toMermaid` draws it and `fingerprint` digests it.
 *
 * @example
 * ```ts
 * const description: PrimitiveDescription = retry(step('fetch', async (url: string) => url), { maxAttempts: 3 }).describe();
 * // { kind: 'retry', name: 'retry(fetch)', options: { maxAttempts: 3, backoff: 'exponential', ... },
 * //   children: [{ kind: 'step', name: 'fetch' }] }
 * ```
 */
export interface PrimitiveDescription {
  /** What the primitive is: `'step'`, `'sequential'`, `'retry'`... */
  readonly kind: string;
  /** Its name, as metrics and spans show it. */
  readonly name: string;
  /**
   * What it is to its parent: a parallel record key or index, a router route, `then`/`else`,
   * `primary`/`fallback 1`, a saga's `step 1`/`undo 1`. Absent at the root and for a plain step
   * of a sequence or the primitive a wrapper wraps.
   */
  readonly label?: string;
  /** Its options, summarised; absent when it has none worth showing. */
  readonly options?: { readonly [option: string]: PrimitiveOptionValue };
  /** The primitives it runs, in definition order; absent for a leaf. */
  readonly children?: readonly PrimitiveDescription[];
}

/**
 * What a primitive's `_describeOptions()` may return: its options by name. Functions become
 * `'function'`, `undefined` entries are left out, and any other value must be a number, a string
 * or a boolean.
 */
export type PrimitiveOptionsSummary = { readonly [option: string]: unknown };
