import type { AnyPrimitive } from './workflow-primitive.js';
import { sha256Hex } from './sha256.js';

/**
 * A stable digest of a workflow's definition: the SHA-256 (64 hex digits) of a canonical JSON of
 * `primitive.describe()`, with object keys sorted so that the order options were written in does
 * not matter. The same definition gives the same value in every process, on every platform and in
 * browsers; renaming, reordering, adding or removing a step, or changing an option changes it. The
 * code inside a callback does not (it is described as `'function'`): give a changed step a new
 * name, or a durable workflow a new `version`. Durable runs record it to refuse resuming a run
 * under a different workflow.
 *
 * @example
 * ```ts
 * const fetchPage = step('fetch', async (url: string) => url);
 * fingerprint(retry(fetchPage, { maxAttempts: 3 })) === fingerprint(retry(fetchPage, { maxAttempts: 3 })); // true
 * fingerprint(retry(fetchPage, { maxAttempts: 3 })) === fingerprint(retry(fetchPage, { maxAttempts: 4 })); // false
 * ```
 */
export function fingerprint(primitive: AnyPrimitive): string {
  return sha256Hex(canonicalJson(primitive.describe()));
}

/**
 * @internal JSON with object keys in code-unit order and no white space: one text for one value,
 * whatever order its keys were added in.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Readonly<Record<string, unknown>>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  // A description holds only strings, finite numbers and booleans here (describe() made sure).
  return JSON.stringify(value) ?? 'null';
}
