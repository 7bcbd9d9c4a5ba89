/** Longest primitive name that the built-in metrics keep as it is. */
export const maxMetricNameLength = 200;

// A longer name keeps this many leading characters, then `…` and an 8-digit hash of the whole name.
const keptPrefixLength = 190;

/**
 * A copy of `value` that shares no memory with a longer string it may have been cut from: V8 keeps
 * a substring as a view into its parent, so a 40-character name cut from a 100 KB request body
 * would keep the whole body alive for as long as the metrics do. Concatenating forces a flat copy.
 */
export function detachedCopy(value: string): string {
  return ` ${value}`.slice(1);
}

/**
 * @internal The first `length` UTF-16 units of `value`, one fewer when the last would be the first
 * half of a character (an emoji): a lone surrogate cannot be written as UTF-8, so an exporter
 * would turn it into U+FFFD. Flat (see {@link detachedCopy}).
 */
export function wholeCharactersHead(value: string, length: number): string {
  const code = value.charCodeAt(length - 1);
  return detachedCopy(value.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length));
}

/** @internal 32-bit FNV-1a of `value`, as 8 hex digits: cheap, stable, and enough to keep long names apart. */
export function fnv1a(value: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index++) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * The key the built-in metrics store for `name`: the name itself up to {@link maxMetricNameLength}
 * characters; a longer one (a name built from request data) becomes its first 190 characters, `…`
 * and a hash of the whole, so distinct names stay distinct while each costs a bounded amount of memory.
 */
export function boundedMetricName(name: string): string {
  if (name.length <= maxMetricNameLength) return detachedCopy(name);
  return `${wholeCharactersHead(name, keptPrefixLength)}…${fnv1a(name)}`;
}
