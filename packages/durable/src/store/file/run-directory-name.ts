import { createHash } from 'node:crypto';

// Kept as they are: lower-case letters, digits, `_` and `-`. Everything else (upper case included,
// so ids that differ in case stay apart on a case-insensitive file system) becomes `%XX` per UTF-8
// byte, so no id can hold a separator, `..`, NUL or anything else a path would interpret.
const plain = /^[a-z0-9_-]$/;
// File systems take 255 bytes per name; longer encodings are replaced by their hash.
const maxEncodedLength = 200;

/**
 * @internal The directory name of a run: injective (`%` and `~` are themselves encoded, and a hashed
 * name starts with `~`), safe on any file system, at most 200 characters. The header keeps the real
 * id, so a (never observed) hash collision is detected on load rather than mixing two runs.
 *
 * @example
 * ```ts fragment
 * runDirectoryName('../etc'); // '%2E%2E%2Fetc'
 * ```
 */
export function runDirectoryName(runId: string): string {
  let encoded = '';
  for (const character of runId) {
    if (plain.test(character)) {
      encoded += character;
      continue;
    }
    for (const byte of Buffer.from(character, 'utf8')) encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    if (encoded.length > maxEncodedLength) break;
  }
  if (encoded.length <= maxEncodedLength) return encoded;
  return `~${createHash('sha256').update(runId, 'utf8').digest('hex')}`;
}
