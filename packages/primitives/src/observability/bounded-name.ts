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
  return `${detachedCopy(name.slice(0, keptPrefixLength))}…${fnv1a(name)}`;
}
