import { NonSerializableOutputError } from '../errors/non-serializable-output-error.js';

/**
 * `JSON.stringify` for what a store keeps, with a typed refusal: a `BigInt` or a cycle (which JSON
 * cannot carry at all) becomes `NonSerializableOutputError` naming `path`, instead of a bare
 * `TypeError` from deep inside the store.
 *
 * @example
 * ```ts
 * const line = encodeRunJson(record, record.path);
 * ```
 */
export function encodeRunJson(value: unknown, path: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new NonSerializableOutputError(path, error instanceof Error ? error.message : String(error), { cause: error });
  }
}
