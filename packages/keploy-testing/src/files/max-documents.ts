import { InvalidOptionsError } from '@tta/primitives';

/**
 * Default most YAML documents read from `mocks.yaml` (and most test case files in `tests/`): 1,000,000.
 * A parsed mock takes close to 1 KiB even when its text is 20 bytes, so this keeps a file of tiny
 * documents below what a real file at the byte limit costs, while real recordings stay far under it.
 */
export const DEFAULT_MAX_DOCUMENTS = 1_000_000;

/**
 * Checks a `maxDocuments` option and returns the limit to use.
 *
 * @throws InvalidOptionsError naming `owner` when it is not a positive whole number.
 */
export function resolveMaxDocuments(owner: string, value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_DOCUMENTS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidOptionsError(owner, 'maxDocuments', `must be a positive whole number (got ${String(value)})`);
  }
  return value;
}
